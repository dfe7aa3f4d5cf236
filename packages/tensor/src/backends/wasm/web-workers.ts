// The thread pool's workers in browsers (./pool.ts): Web Workers running the program below from a
// Blob URL, over the shared WebAssembly.Memory (which needs a cross-origin isolated page). They
// wait for tasks in Atomics.wait like Node's workers; the page's main thread, which may not block,
// spins on `pending` instead. They start asynchronously, once the page returns to its event loop.
import { messageChars, messageOffset, slot, type WorkerGroup } from './control.js';

/**
 * The worker's program (a classic script). Each message brings modules to instantiate and the
 * pool's current epoch; the worker then serves tasks until the epoch changes. A worker blocked in
 * Atomics.wait cannot receive messages, so a module loaded later is handed over by starting a new
 * epoch: the workers leave their loop, take the message with the module, and join the new epoch.
 * `ready` holds the epoch (high 16 bits) and how many workers joined it (low 16 bits); the pool
 * dispatches only when all have, and a worker joins by compare-and-swap, so one holding an old
 * epoch can never be counted.
 */
const workerSource = `
let memory, ctrl, args, message, index, slot;
const modules = [];
onmessage = ({ data }) => {
  if (data.memory) {
    ({ memory, index, slot } = data);
    ctrl = new Int32Array(memory.buffer, data.control, 16);
    args = new Float64Array(memory.buffer, data.control + 64, 16);
    message = new Uint16Array(memory.buffer, data.control + data.messageOffset, data.messageChars);
  }
  for (const m of data.modules) {
    const instance = new WebAssembly.Instance(m, { env: { memory } });
    modules.push(WebAssembly.Module.exports(m).map((e) => instance.exports[e.name]));
  }
  serve(data.epoch);
};
function serve(epoch) {
  let seen = Atomics.load(ctrl, slot.generation);
  for (let v = Atomics.load(ctrl, slot.ready); ; v = Atomics.load(ctrl, slot.ready)) {
    if (v >>> 16 !== epoch) return;
    if (Atomics.compareExchange(ctrl, slot.ready, v, v + 1) === v) break;
  }
  postMessage(epoch);
  for (;;) {
    Atomics.wait(ctrl, slot.generation, seen);
    const generation = Atomics.load(ctrl, slot.generation);
    if (generation === seen) continue;
    seen = generation;
    if (Atomics.load(ctrl, slot.ready) >>> 16 !== epoch) return;
    try {
      if (index < ctrl[slot.threads]) {
        const count = ctrl[slot.count];
        const fn = modules[ctrl[slot.module]][ctrl[slot.exportIndex]];
        const taskArgs = Array.from(args.subarray(0, ctrl[slot.argCount]));
        for (let item = Atomics.add(ctrl, slot.next, 1); item < count; item = Atomics.add(ctrl, slot.next, 1)) fn(index, item, item + 1, ...taskArgs);
      }
    } catch (error) {
      if (Atomics.compareExchange(ctrl, slot.failed, 0, 1) === 0) {
        const text = String((error && error.stack) || error).slice(0, message.length);
        for (let i = 0; i < text.length; i++) message[i] = text.charCodeAt(i);
        ctrl[slot.messageLength] = text.length;
      }
    }
    Atomics.sub(ctrl, slot.pending, 1);
  }
}
`;

/** A pool whose workers have not all started by then runs on one thread. */
const startTimeoutMs = 30_000;

/** Whether this is a browser-like context that can start Web Workers from Blob URLs. */
export function webWorkersAvailable(): boolean {
  return typeof Worker !== 'undefined' && typeof Blob !== 'undefined' && typeof URL.createObjectURL === 'function';
}

class WebWorkers implements WorkerGroup {
  failure: string | null = null;
  private readonly ctrl: Int32Array;
  private readonly message: Uint16Array;
  private readonly workers: Worker[] = [];
  private readonly waiters: (() => void)[] = [];
  private epoch = 0;
  private url: string | null;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(memory: WebAssembly.Memory, control: number, readonly size: number, modules: readonly WebAssembly.Module[]) {
    this.ctrl = new Int32Array(memory.buffer, control, 16);
    this.message = new Uint16Array(memory.buffer, control + messageOffset, messageChars);
    Atomics.store(this.ctrl, slot.ready, 0);
    this.url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
    this.timer = setTimeout(() => this.fail(`not all ${size} workers started within ${startTimeoutMs / 1000} s`), startTimeoutMs);
    for (let index = 1; index <= size; index++) {
      const worker = new Worker(this.url, { name: `longshort-cpu-${index}` });
      worker.onmessage = () => this.settle();
      worker.onerror = (event) => this.fail(event.message || 'a worker failed to load');
      worker.postMessage({ memory, control, index, slot, messageOffset, messageChars, epoch: this.epoch, modules });
      this.workers.push(worker);
    }
  }

  isReady(): boolean {
    return this.workers.length === this.size && Atomics.load(this.ctrl, slot.ready) === ((this.epoch << 16) | this.size);
  }

  whenReady(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.settle();
    });
  }

  load(module: WebAssembly.Module): void {
    // NOTE: the new epoch is stored before the message is posted, so that a worker that takes the
    // message always finds its epoch current and joins it.
    this.newEpoch();
    for (const worker of this.workers) worker.postMessage({ epoch: this.epoch, modules: [module] });
  }

  join(): void {
    while (Atomics.load(this.ctrl, slot.pending) !== 0) {
      // Spin: the page's main thread may not Atomics.wait.
    }
  }

  failures(): string[] {
    return [String.fromCharCode(...this.message.subarray(0, this.ctrl[slot.messageLength]))];
  }

  dispose(): void {
    this.newEpoch();
    for (const worker of this.workers) worker.terminate();
    this.workers.length = 0;
    this.settle();
  }

  /** Sends every worker back to its event loop: none serves tasks until it joins the new epoch. */
  private newEpoch(): void {
    this.epoch = (this.epoch + 1) & 0x7fff;
    Atomics.store(this.ctrl, slot.ready, this.epoch << 16);
    Atomics.add(this.ctrl, slot.generation, 1);
    Atomics.notify(this.ctrl, slot.generation);
  }

  private fail(reason: string): void {
    this.failure ??= reason;
    this.dispose();
  }

  /** Resolves the waiters once every worker serves tasks, or once the group is over. */
  private settle(): void {
    if (!this.isReady() && this.workers.length > 0) return;
    clearTimeout(this.timer);
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

/**
 * Starts `size` Web Workers on `memory` with `modules` loaded; they take tasks once `isReady()`.
 * Returns null where they cannot be created.
 */
export function startWebWorkers(memory: WebAssembly.Memory, control: number, size: number, modules: readonly WebAssembly.Module[]): WorkerGroup | null {
  try {
    return new WebWorkers(memory, control, size, modules);
  } catch {
    return null;
  }
}
