// Adapter and device acquisition: a caller's GPUDevice, else navigator.gpu (browsers), else Dawn
// for Node (the optional `webgpu` package). The device gets the adapter's full limits (the
// defaults are small) and 'shader-f16' when offered. No adapter → CapabilityError('NO_ADAPTER').
import { CapabilityError } from '@longshort/tensor';

export interface DeviceOptions {
  /** Use this device (the backend then never destroys it). */
  readonly device?: GPUDevice;
  /** Options for requestAdapter() (powerPreference, featureLevel, forceFallbackAdapter). */
  readonly adapter?: GPURequestAdapterOptions;
  /** Dawn options for `create()` in Node, e.g. ['backend=vulkan'] (default none). */
  readonly dawnOptions?: readonly string[];
}

/** What the backend knows about its device. */
export interface WebGPUCapabilities {
  readonly features: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
  readonly adapterInfo: { readonly vendor: string; readonly architecture: string; readonly device: string; readonly description: string };
  /** A CPU implementation (SwiftShader, llvmpipe, a fallback adapter): its timings mean little. */
  readonly isSoftware: boolean;
}

export interface AcquiredDevice {
  readonly device: GPUDevice;
  readonly capabilities: WebGPUCapabilities;
  /** Whether the backend created the device (and so destroys it on dispose). */
  readonly owned: boolean;
  /**
   * The GPU instance and adapter the device came from. NOTE: the backend must hold them: Dawn
   * for Node frees its instance when the JS object is collected, and the device's event
   * processing then crashes the process.
   */
  readonly keepAlive: readonly object[];
}

const noAdapterHint = 'Hint: in Node install the `webgpu` package; on machines without a GPU set VK_ICD_FILENAMES to a SwiftShader ICD (see docs/toolchain.md) before Dawn loads; in browsers enable WebGPU.';

async function findGpu(options: DeviceOptions): Promise<GPU> {
  const navigatorGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (navigatorGpu) return navigatorGpu;
  try {
    // NOTE: a computed specifier keeps browser bundlers from resolving the optional Node package.
    const specifier = 'webgpu';
    const dawn = (await import(/* @vite-ignore */ specifier)) as { create(options: string[]): GPU };
    return dawn.create([...(options.dawnOptions ?? [])]);
  } catch (error) {
    throw new CapabilityError('NO_ADAPTER', 'webgpu',
      `no WebGPU implementation; expected navigator.gpu or the 'webgpu' package, got neither (${String(error)}).\n${noAdapterHint}`);
  }
}

function describe(info: GPUAdapterInfo | undefined, features: GPUSupportedFeatures, limits: GPUSupportedLimits): WebGPUCapabilities {
  const adapterInfo = {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
  };
  const limitValues: Record<string, number> = {};
  for (const key in limits) limitValues[key] = Number(limits[key as keyof GPUSupportedLimits]);
  const fallback = (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true;
  const software = /swiftshader|llvmpipe|lavapipe|softpipe|software|warp/i.test(Object.values(adapterInfo).join(' '));
  return { features: [...features].sort(), limits: limitValues, adapterInfo, isSoftware: fallback || software };
}

/** Finds a device as DeviceOptions says. */
export async function acquireDevice(options: DeviceOptions): Promise<AcquiredDevice> {
  if (options.device) {
    const device = options.device;
    const info = (device as { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    return { device, capabilities: describe(info, device.features, device.limits), owned: false, keepAlive: [] };
  }
  const gpu = await findGpu(options);
  const adapter = await gpu.requestAdapter(options.adapter);
  if (!adapter) {
    throw new CapabilityError('NO_ADAPTER', 'webgpu', `requestAdapter() found no adapter; expected one, got null.\n${noAdapterHint}`);
  }
  const requiredLimits: Record<string, number> = {};
  for (const key in adapter.limits) requiredLimits[key] = Number(adapter.limits[key as keyof GPUSupportedLimits]);
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('shader-f16') ? ['shader-f16'] : [];
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'longshort' });
  return { device, capabilities: describe(adapter.info, device.features, device.limits), owned: true, keepAlive: [gpu, adapter] };
}
