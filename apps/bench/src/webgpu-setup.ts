// WebGPU in Node for the WebGPU suite: Dawn (the `webgpu` package) exposed as `navigator.gpu`
// before any library loads, so longshort, tfjs-backend-webgpu and jax-js request their devices
// from the same GPU object and adapter (docs/toolchain.md "Peers on the same software adapters").
import { existsSync } from 'node:fs';

/** The SwiftShader Vulkan ICD of Debian's chromium package (scripts/install-system-deps.sh). */
export const swiftShaderIcd = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** What the suite records about the adapter every library ran on. */
export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** GPUAdapterInfo.isFallbackAdapter. */
  is_fallback_adapter: boolean;
  /** A CPU implementation (fallback, SwiftShader, llvmpipe, …): its timings carry no target. */
  software: boolean;
}

/**
 * Loads Dawn and defines `globalThis.navigator` = { gpu, userAgent: 'node' } (plus Dawn's WebGPU
 * globals). With `software`, Dawn is pointed at SwiftShader first (VK_ICD_FILENAMES, unless set):
 * Dawn reads its environment when it loads, so this must run before anything imports `webgpu`.
 * Returns the adapter's facts (`software` filled in later from the backend's own detection).
 * @example const adapter = await installWebGPU({ software: true });
 */
export async function installWebGPU(options: { software: boolean }): Promise<Omit<AdapterReport, 'software'>> {
  if (options.software) {
    if (!existsSync(swiftShaderIcd)) throw new Error(`no SwiftShader ICD at ${swiftShaderIcd}; expected Debian's chromium package (scripts/install-system-deps.sh).`);
    process.env.VK_ICD_FILENAMES ??= swiftShaderIcd;
  }
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const dawn = await import('webgpu');
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true, writable: true });
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    throw new Error(`requestAdapter() found no WebGPU adapter; expected one${options.software ? '' : ' (on a machine without a GPU, pass --software for SwiftShader)'}.`);
  }
  const info = adapter.info;
  return {
    vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
    is_fallback_adapter: (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true,
  };
}
