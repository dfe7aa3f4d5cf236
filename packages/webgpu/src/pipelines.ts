// Compute pipelines cached by kernel label + key + override constants (tfjs makeShaderKey): shapes
// and strides travel in the Params uniform, so a new size compiles nothing new. Compilation runs
// in a validation error scope; a WGSL error is reported with the kernel's name and line numbers.
import { BackendError } from '@longshort/tensor';
import { reflectParams, type ParamsLayout } from './params.js';

/** What a kernel dispatches: its WGSL (built only on a cache miss) and how to specialise it. */
export interface Program {
  /** The kernel's name: labels every GPU object and names it in errors. */
  readonly label: string;
  /** Everything the generated WGSL depends on beyond `constants` (dtypes, variant). */
  readonly key: string;
  /** The complete WGSL module, entry point `main`, `struct Params` as the last binding. */
  readonly code: () => string;
  /** Values of the module's `override` constants (RANK, WORKGROUP_SIZE, …). */
  readonly constants?: Readonly<Record<string, number>>;
}

export interface CompiledProgram {
  readonly pipeline: GPUComputePipeline;
  readonly params: ParamsLayout;
  readonly label: string;
}

export interface PipelineCacheOptions {
  readonly name: string;
  /** Receives compile errors (surfaced at the next backend call). */
  readonly report: (error: BackendError) => void;
  /** Tracks the asynchronous compile diagnostics so that a flush waits for them. */
  readonly track: (diagnostic: Promise<void>) => void;
  /** Kernel labels whose WGSL is printed when compiled ('all' for every kernel). */
  readonly printShaders?: readonly string[] | 'all';
}

export class PipelineCache {
  private readonly cache = new Map<string, CompiledProgram>();

  constructor(private readonly device: GPUDevice, private readonly options: PipelineCacheOptions) {}

  get size(): number {
    return this.cache.size;
  }

  get(program: Program): CompiledProgram {
    const constants = program.constants ?? {};
    const key = `${program.label}|${program.key}|${Object.entries(constants).map(([k, v]) => `${k}=${v}`).join(',')}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const { label } = program;
    const code = program.code();
    const print = this.options.printShaders;
    if (print === 'all' || print?.includes(label)) console.info(`// ${label} (${key})\n${code}`);
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code, label });
    const pipeline = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main', constants }, label });
    this.options.track(this.device.popErrorScope().then(async (error) => {
      if (!error) return;
      this.cache.delete(key);
      const info = await module.getCompilationInfo();
      const source = code.split('\n');
      const lines = info.messages.filter((m) => m.type === 'error')
        .map((m) => `line ${m.lineNum}:${m.linePos}: ${m.message}\n  ${source[m.lineNum - 1]?.trim() ?? ''}`);
      this.options.report(new BackendError('VALIDATION', this.options.name,
        `kernel '${label}' failed to compile; expected valid WGSL, got:\n${lines.length > 0 ? lines.join('\n') : error.message}`, { kernel: label }));
    }));
    const compiled: CompiledProgram = { pipeline, params: reflectParams(code, label), label };
    this.cache.set(key, compiled);
    return compiled;
  }
}
