// Runs WebAssembly kernels on several threads over one shared memory. Worker threads wait on a
// control block in that memory (Atomics.wait/notify), so a dispatch costs a few microseconds and
// stays synchronous. In Node they are worker_threads, unref'd so they never keep Node from exiting;
// in browsers Web Workers (./web-workers.ts), where SharedArrayBuffer exists (cross-origin
// isolated pages). Elsewhere everything runs on the calling thread, with a note saying why.
import { BackendError, ConfigError } from '../../errors/index.js';
import { kind, maxArgs, signal, slot, type WorkerGroup } from './control.js';
import { startWebWorkers, webWorkersAvailable } from './web-workers.js';

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
 * Node's worker_threads, started synchronously: this thread waits (Atomics.wait) until each has
 * instantiated the modules. Returns null where threads cannot be created or do not start.
 */
function startNodeWorkers(threadsModule: WorkerThreadsModule, memory: WebAssembly.Memory, control: number, size: number,
  modules: readonly WebAssembly.Module[]): WorkerGroup | null {
  const ctrl = new Int32Array(memory.buffer, control, 16);
  const workers: { worker: NodeWorker; port: NodePort }[] = [];
  const group: WorkerGroup = {
    size,
    failure: null,
    isReady: () => true,
    whenReady: () => Promise.resolve(),
    load(module) {
      for (const { port } of workers) port.postMessage(module);
      signal(ctrl, kind.load, workers.length);
      group.join();
    },
    join() {
      for (let pending = Atomics.load(ctrl, slot.pending); pending !== 0; pending = Atomics.load(ctrl, slot.pending)) {
        Atomics.wait(ctrl, slot.pending, pending);
      }
    },
    failures: () => workers.map(({ port }) => threadsModule.receiveMessageOnPort(port)?.message).filter((m) => m !== undefined).map(String),
    dispose() {
      ctrl[slot.kind] = kind.exit;
      Atomics.add(ctrl, slot.generation, 1);
      Atomics.notify(ctrl, slot.generation);
      for (const { worker, port } of workers) {
        port.close();
        void worker.terminate();
      }
      workers.length = 0;
    },
  };
  const { Worker, MessageChannel } = threadsModule;
  try {
    for (let index = 1; index <= size; index++) {
      const { port1, port2 } = new MessageChannel();
      for (const m of modules) port1.postMessage(m);
      const worker = new Worker(workerSource, {
        eval: true,
        workerData: { memory, control, index, port: port2, slot, kind },
        transferList: [port2],
      });
      worker.unref();
      port1.unref();
      workers.push({ worker, port: port1 });
    }
  } catch {
    // NOTE: where threads cannot be created (a sandbox, a resource limit) work runs on one thread.
    group.dispose();
    return null;
  }
  const deadline = Date.now() + 30_000;
  for (let ready = Atomics.load(ctrl, slot.ready); ready < workers.length; ready = Atomics.load(ctrl, slot.ready)) {
    if (Date.now() > deadline) {
      // NOTE: a pool that cannot start falls back to one thread rather than hanging.
      group.dispose();
      return null;
    }
    Atomics.wait(ctrl, slot.ready, ready, 100);
  }
  return group;
}

const isolationHint = 'SharedArrayBuffer needs a cross-origin isolated page: serve it with the headers '
  + "'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp'";
let noted = false;

/** Prints a pool's note once per process or page, so a silent slowdown is not a mystery. */
function printOnce(note: string): void {
  if (noted) return;
  noted = true;
  console.info(`@longshort/tensor: ${note}`);
}

/**
 * A pool of `threads − 1` workers plus the calling thread, over `memory` (which must be shared
 * for more than one thread). Workers start on the first task that wants them (or `ready()`):
 * in Node synchronously; in browsers asynchronously, since a Web Worker only starts once the page
 * returns to its event loop, so tasks run on the calling thread until every worker is up.
 * NOTE: a browser's main thread may not block in Atomics.wait, so there the calling thread takes
 * items like the workers and then spins on `pending` (as emscripten's pthreads do); the spin
 * lasts at most one item of the slowest worker.
 */
export class ThreadPool {
  private readonly modules: PoolModule[] = [];
  private readonly ctrl: Int32Array | null;
  private readonly args: Float64Array | null;
  private readonly start: ((modules: readonly WebAssembly.Module[]) => WorkerGroup | null) | null;
  private readonly loaded: WebAssembly.Module[] = [];
  private group: WorkerGroup | null = null;
  private disposed = false;
  /** Threads that run tasks, the calling one included. */
  threads: number;
  /** Why tasks run on one thread although more were asked for (printed once), or null. */
  note: string | null = null;

  constructor(private readonly memory: WebAssembly.Memory, control: number, requestedThreads: number) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const threadsModule = shared && requestedThreads > 1 ? workerThreads() : null;
    const size = requestedThreads - 1;
    if (threadsModule) this.start = (modules) => startNodeWorkers(threadsModule, memory, control, size, modules);
    else if (shared && requestedThreads > 1 && webWorkersAvailable()) this.start = (modules) => startWebWorkers(memory, control, size, modules);
    else this.start = null;
    this.threads = this.start ? requestedThreads : 1;
    this.ctrl = this.start ? new Int32Array(memory.buffer, control, 16) : null;
    this.args = this.start ? new Float64Array(memory.buffer, control + 64, maxArgs) : null;
    if (requestedThreads > 1 && !this.start) {
      this.fallBack(shared ? 'neither worker_threads nor Web Workers exist here' : `the memory is not shared (${isolationHint})`);
    }
  }

  /** Instantiates `module` (importing env.memory) on this thread and, once started, on every worker. */
  load(module: WebAssembly.Module): PoolModule {
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    const loaded = { id: this.modules.length, exports: instance.exports, exportNames: WebAssembly.Module.exports(module).map((e) => e.name) };
    this.modules.push(loaded);
    this.loaded.push(module);
    this.group?.load(module);
    return loaded;
  }

  /**
   * Starts the workers, if there are any, and resolves once they take tasks (or once they have
   * failed to start: then the pool runs on one thread and `note` says why).
   */
  async ready(): Promise<void> {
    await this.startGroup()?.whenReady();
    this.startGroup();
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
    const group = used > 1 ? this.startGroup() : null;
    if (!group?.isReady()) {
      (module.exports[exportName] as (...a: number[]) => void)(0, 0, count, ...args);
      return;
    }
    const ctrl = this.ctrl!;
    const exportIndex = module.exportNames.indexOf(exportName);
    ctrl[slot.module] = module.id;
    ctrl[slot.exportIndex] = exportIndex;
    ctrl[slot.count] = count;
    ctrl[slot.threads] = used;
    ctrl[slot.argCount] = args.length;
    this.args!.set(args);
    signal(ctrl, kind.run, group.size);
    let error: unknown = null;
    try {
      const fn = module.exports[exportName] as (...a: number[]) => void;
      for (let item = Atomics.add(ctrl, slot.next, 1); item < count; item = Atomics.add(ctrl, slot.next, 1)) fn(0, item, item + 1, ...args);
    } catch (e) {
      // NOTE: the other threads still drain the items; the error is rethrown once they are done.
      error = e;
    }
    group.join();
    if (error) throw error;
    if (ctrl[slot.failed]) {
      throw new BackendError('VALIDATION', 'cpu', `a worker thread failed; expected the kernel to run, got: ${group.failures().join('\n')}`);
    }
  }

  /** The workers (started first if need be), or null when the pool runs on one thread. */
  private startGroup(): WorkerGroup | null {
    if (!this.group && !this.disposed && this.start) {
      this.group = this.start(this.loaded);
      if (!this.group) this.fallBack('its worker threads could not be started');
    }
    if (this.group?.failure) this.fallBack(`its worker threads did not start (${this.group.failure})`);
    return this.group;
  }

  private fallBack(reason: string): void {
    this.dispose();
    this.note = `the CPU backend runs on one thread: ${reason}.`;
    printOnce(this.note);
  }

  dispose(): void {
    this.disposed = true;
    this.threads = 1;
    this.group?.dispose();
    this.group = null;
  }
}
