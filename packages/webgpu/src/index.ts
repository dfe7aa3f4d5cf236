// @longshort/webgpu — the WebGPU backend for @longshort/tensor (explicit named exports only).
export {
  createWebGPUBackend, type WebGPUBackend, type WebGPUBackendOptions, type WebGPUFlags, type WebGPUKernelSet, type WebGPUStats,
} from './backend.js';
export type { BufferPoolOptions, BufferPoolStats } from './buffers.js';
export type { DeviceOptions, WebGPUCapabilities } from './device.js';
export type { GpuDType } from './dtypes.js';
export type { IndexCheck } from './index-check.js';
export { defineWebGPUKernel, type GpuData, type GpuView, type Grid, type KernelContext, type WebGPUKernel } from './kernel.js';
export { webgpuKernels, type WebGPUKernelTable } from './kernels/manifest.js';
export { reflectParams, packParams, type ParamsLayout, type ParamsField, type ParamsValues } from './params.js';
export type { Program } from './pipelines.js';
export { linkWgsl, snippets } from './wgsl/link.js';
