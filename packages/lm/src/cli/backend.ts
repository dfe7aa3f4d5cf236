// Backend selection for the CLI: the CPU backend with the fused long-short attention kernels
// registered (wasm SIMD on the thread pool; faster than the composed ops), or WebGPU (with the
// attention's WGSL kernels) loaded by a dynamic import of @longshort/webgpu only when asked for (lm
// does not depend on it; architecture rule 8).
import { registerFusedAttentionKernels } from '@longshort/attention';
import { BackendError, createCpuBackend, getBackend, setBackend, type CpuBackend } from '@longshort/tensor';
import { UsageError } from './args.js';

export type BackendName = 'cpu' | 'webgpu';

interface WebGPUModule {
  createWebGPUBackend(options?: { kernels?: readonly (readonly unknown[])[] }): Promise<Parameters<typeof setBackend>[0]>;
}

/**
 * Makes `name` the current backend and returns its name: the current CPU backend is kept (it may
 * carry extra kernels) and gets the fused attention kernels; WebGPU is imported and created on demand.
 * @example await useBackend('webgpu');
 */
export async function useBackend(name: BackendName): Promise<string> {
  if (name === 'cpu') {
    if (!getBackend().name.startsWith('cpu')) setBackend(createCpuBackend());
    const backend = getBackend();
    if ('registerKernel' in backend) registerFusedAttentionKernels(backend as CpuBackend);
    return backend.name;
  }
  // NOTE: a variable specifier, so that bundlers and tsc do not try to resolve the optional package.
  const specifier = '@longshort/webgpu';
  let module: WebGPUModule;
  try {
    module = await import(specifier) as WebGPUModule;
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') {
      throw new BackendError('NO_BACKEND', 'webgpu', `@longshort/webgpu failed to load; expected a loadable package, got ${String(cause)}.`, { cause });
    }
    throw new UsageError('longshort', '--backend', "'cpu', or 'webgpu' with the package @longshort/webgpu installed", "'webgpu' without it", 'npm install @longshort/webgpu (or use --backend cpu).');
  }
  // The fused attention kernels for WebGPU: the one subpath of @longshort/attention that imports @longshort/webgpu.
  const attentionSpecifier = '@longshort/attention/webgpu';
  const { fusedAttentionWebGPUKernels } = await import(attentionSpecifier) as { fusedAttentionWebGPUKernels: readonly unknown[] };
  setBackend(await module.createWebGPUBackend({ kernels: [fusedAttentionWebGPUKernels] }));
  return getBackend().name;
}
