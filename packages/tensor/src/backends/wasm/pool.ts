// Runs WebAssembly kernels on several threads over one shared memory: Node worker_threads that
// wait on a control block in that memory (Atomics.wait/notify), so a dispatch costs a few
// microseconds and stays synchronous. Workers are unref'd: they never keep Node from exiting.
import { BackendError, ConfigError } from '../../errors/index.js';

/** Int32 slots of the control block (see `workerSource`). */
const slot = { generation: 0, pending: 1, ready: 2, module: 3, exportIndex: 4, count: 5, threads: 6, argCount: 7, failed: 8, kind: 9, next: 10 } as const;
const kind = { run: 0, load: 1, exit: 2 } as const;
/** Bytes of the control block: 16 int32 slots, then up to 16 float64 arguments. */
export const controlBytes = 64 + 16 * 8;
export const maxArgs = 16;

/**
 * The worker's program (CommonJS, evaluated by `new Worker(source, { eval: true })`). It
 * instantiates each module it is sent against the shared memory, then loops: wait for a new
 * generation, claim items of the task one at a time (an atomic counter) until none is left,
 * count down `pending`.
 */
const workerSource = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { memory, control, index, port, slot, kind } = workerData;
const ctrl = new Int32Array(memory.buffer, control, 16);
const args = new Float64Array(memory.buffer, control + 64, 16);
const modules = [];
function loadPending() {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const instance = new WebAssembly.Instance(m.message, { env: { memory } });
    modules.push(WebAssembly.Module.exports(m.message).map((e) => instance.exports[e.name]));
  }
}
loadPending();
let seen = Atomics.load(ctrl, slot.generation);
Atomics.add(ctrl, slot.ready, 1);
Atomics.notify(ctrl, slot.ready);
for (;;) {
  Atomics.wait(ctrl, slot.generation, seen);
  const generation = Atomics.load(ctrl, slot.generation);
  if (generation === seen) continue;
  seen = generation;
  const task = ctrl[slot.kind];
  if (task === kind.exit) break;
  try {
    if (task === kind.load) loadPending();
    else if (index < ctrl[slot.threads]) {
      const count = ctrl[slot.count];
      const fn = modules[ctrl[slot.module]][ctrl[slot.exportIndex]];
      const taskArgs = Array.from(args.subarray(0, ctrl[slot.argCount]));
      for (let item = Atomics.add(ctrl, slot.next, 1); item < count; item = Atomics.add(ctrl, slot.next, 1)) fn(index, item, item + 1, ...taskArgs);
    }
  } catch (error) {
    Atomics.store(ctrl, slot.failed, 1);
    port.postMessage(String(error && error.stack || error));
  }
  if (Atomics.sub(ctrl, slot.pending, 1) === 1) Atomics.notify(ctrl, slot.pending);
}
`;

interface WorkerThreadsModule {
  Worker: new (source: string, options: object) => NodeWorker;
  MessageChannel: new () => { port1: NodePort; port2: NodePort };
  receiveMessageOnPort(port: NodePort): { message: unknown } | undefined;
}
interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
}
interface NodePort {
  postMessage(message: unknown, transfer?: unknown[]): void;
  unref(): void;
  close(): void;
}

/** Node's worker_threads, loaded synchronously where `process.getBuiltinModule` exists (Node ≥ 20.16). */
function workerThreads(): WorkerThreadsModule | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return (proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreadsModule | undefined) ?? null;
}

/** The number of cores: os.availableParallelism() in Node, navigator.hardwareConcurrency in browsers. */
export function availableCores(): number {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus(): unknown[] } | undefined;
  const cores = os ? (os.availableParallelism?.() ?? os.cpus().length) : (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Math.max(1, cores ?? 1);
}

/** The calling thread's instance of a module loaded into the pool, and its export order. */
export interface PoolModule {
  readonly id: number;
  readonly exports: WebAssembly.Exports;
  readonly exportNames: readonly string[];
}

/**
 * A pool of `threads − 1` workers plus the calling thread, over `memory` (which must be shared
 * for more than one thread). Where worker_threads is missing (browsers, for now) it runs
 * everything on the calling thread.
 * NOTE: browsers would need Web Workers and `crossOriginIsolated`, and the main thread may not
 * block in Atomics.wait; until that is written the browser path is single-threaded.
 */
export class ThreadPool {
  private readonly modules: PoolModule[] = [];
  private readonly workers: { worker: NodeWorker; port: NodePort }[] = [];
  private readonly ctrl: Int32Array | null;
  private readonly args: Float64Array | null;
  private readonly threadsModule: WorkerThreadsModule | null;
  private readonly loaded = new Map<number, WebAssembly.Module>();
  private started = false;
  private disposed = false;
  /** Threads that run tasks, the calling one included. */
  threads: number;

  constructor(private readonly memory: WebAssembly.Memory, private readonly control: number, requestedThreads: number) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    this.threadsModule = shared && requestedThreads > 1 ? workerThreads() : null;
    this.threads = this.threadsModule ? requestedThreads : 1;
    this.ctrl = this.threadsModule ? new Int32Array(memory.buffer, control, 16) : null;
    this.args = this.threadsModule ? new Float64Array(memory.buffer, control + 64, maxArgs) : null;
  }

  /** Instantiates `module` (importing env.memory) on this thread and, once started, on every worker. */
  load(module: WebAssembly.Module): PoolModule {
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    const loaded = { id: this.modules.length, exports: instance.exports, exportNames: WebAssembly.Module.exports(module).map((e) => e.name) };
    this.modules.push(loaded);
    this.loaded.set(loaded.id, module);
    if (this.started) {
      for (const { port } of this.workers) port.postMessage(module);
      this.dispatch(kind.load, 0, 0, 0, [], this.threads);
    }
    return loaded;
  }

  /**
   * Calls `exportName(thread, begin, end, ...args)` of `module` for every item of [0, count), on
   * up to `threads` threads (default all): each thread claims items one at a time until none is
   * left (so a slow or busy core takes fewer), then this returns. On one thread it is a single
   * call with [0, count).
   */
  run(module: PoolModule, exportName: string, count: number, args: readonly number[], threads = this.threads): void {
    if (count <= 0) return;
    if (args.length > maxArgs) throw new ConfigError('parallelFor', 'args', `at most ${maxArgs} numbers`, String(args.length));
    const used = Math.max(1, Math.min(threads, this.threads, count));
    if (used > 1) this.start();
    if (used === 1 || !this.started) {
      (module.exports[exportName] as (...a: number[]) => void)(0, 0, count, ...args);
      return;
    }
    this.dispatch(kind.run, module.id, module.exportNames.indexOf(exportName), count, args, used);
  }

  private dispatch(task: number, moduleId: number, exportIndex: number, count: number, args: readonly number[], threads: number): void {
    const ctrl = this.ctrl!;
    ctrl[slot.kind] = task;
    ctrl[slot.module] = moduleId;
    ctrl[slot.exportIndex] = exportIndex;
    ctrl[slot.count] = count;
    ctrl[slot.threads] = threads;
    ctrl[slot.argCount] = args.length;
    ctrl[slot.failed] = 0;
    Atomics.store(ctrl, slot.next, 0);
    this.args!.set(args);
    Atomics.store(ctrl, slot.pending, this.workers.length);
    Atomics.add(ctrl, slot.generation, 1);
    Atomics.notify(ctrl, slot.generation);
    let error: unknown = null;
    if (task === kind.run) {
      try {
        const m = this.modules[moduleId];
        const fn = m.exports[m.exportNames[exportIndex]] as (...a: number[]) => void;
        for (let item = Atomics.add(ctrl, slot.next, 1); item < count; item = Atomics.add(ctrl, slot.next, 1)) fn(0, item, item + 1, ...args);
      } catch (e) {
        // NOTE: the other threads still drain the items; the error is rethrown once they are done.
        error = e;
      }
    }
    for (let pending = Atomics.load(ctrl, slot.pending); pending !== 0; pending = Atomics.load(ctrl, slot.pending)) {
      Atomics.wait(ctrl, slot.pending, pending);
    }
    if (error) throw error;
    if (ctrl[slot.failed]) {
      const messages = this.workers.map(({ port }) => this.threadsModule!.receiveMessageOnPort(port)?.message).filter((m) => m !== undefined);
      throw new BackendError('VALIDATION', 'cpu', `a worker thread failed; expected the kernel to run, got: ${messages.join('\n')}`);
    }
  }

  /** Starts the workers (synchronously: this thread waits until each has instantiated the modules). */
  private start(): void {
    if (this.started || this.disposed || !this.threadsModule) return;
    this.started = true;
    const { Worker, MessageChannel } = this.threadsModule;
    try {
      for (let index = 1; index < this.threads; index++) {
        const { port1, port2 } = new MessageChannel();
        for (const m of this.loaded.values()) port1.postMessage(m);
        const worker = new Worker(workerSource, {
          eval: true,
          workerData: { memory: this.memory, control: this.control, index, port: port2, slot, kind },
          transferList: [port2],
        });
        worker.unref();
        port1.unref();
        this.workers.push({ worker, port: port1 });
      }
    } catch {
      // NOTE: where threads cannot be created (a sandbox, a resource limit) work runs on one thread.
      this.dispose();
      return;
    }
    const ctrl = this.ctrl!;
    const deadline = Date.now() + 30_000;
    for (let ready = Atomics.load(ctrl, slot.ready); ready < this.workers.length; ready = Atomics.load(ctrl, slot.ready)) {
      if (Date.now() > deadline) {
        // NOTE: a pool that cannot start falls back to one thread rather than hanging.
        this.dispose();
        return;
      }
      Atomics.wait(ctrl, slot.ready, ready, 100);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.threads = 1;
    if (this.started && this.ctrl) {
      this.ctrl[slot.kind] = kind.exit;
      Atomics.add(this.ctrl, slot.generation, 1);
      Atomics.notify(this.ctrl, slot.generation);
    }
    for (const { worker, port } of this.workers) {
      port.close();
      void worker.terminate();
    }
    this.workers.length = 0;
    this.started = false;
  }
}
