// The WebGPU backend for the lm suite in Node (issue 6; architecture guide B.12: every result records
// its adapter): Dawn from the `webgpu` package behind `navigator.gpu` (../webgpu-setup.ts), on
// SwiftShader where Debian's chromium provides it. @longshort/webgpu runs from its sources, whose
// `.wgsl` imports need the loader that `pnpm bench` registers (tools/wgsl-loader).
import { existsSync } from 'node:fs';
import type { WebGPUBackend } from '@longshort/webgpu';
import { installWebGPU, swiftShaderIcd } from '../webgpu-setup.js';

/** What the lm report records about the WebGPU adapter. */
export interface WebGPUAdapterFacts {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** capabilities.isSoftware: a CPU implementation (SwiftShader, llvmpipe, a fallback adapter); its timings carry no target. */
  software: boolean;
}

/**
 * A WebGPU backend on Dawn (SwiftShader when its ICD is installed and VK_ICD_FILENAMES is unset)
 * and the adapter's facts. Throws when Dawn finds no adapter.
 * @example const { backend, adapter } = await createNodeWebGPUBackend(); setBackend(backend);
 */
export async function createNodeWebGPUBackend(): Promise<{ backend: WebGPUBackend; adapter: WebGPUAdapterFacts }> {
  await installWebGPU({ software: existsSync(swiftShaderIcd) });
  const { createWebGPUBackend } = await import('@longshort/webgpu');
  const backend = await createWebGPUBackend();
  const { adapterInfo, isSoftware } = backend.webgpu;
  return { backend, adapter: { ...adapterInfo, software: isSoftware } };
}
