// The control block through which the thread pool (./pool.ts) drives its workers: int32 slots,
// the task's float64 arguments and a failing worker's message, in the shared WebAssembly memory.
// Node's worker_threads (./pool.ts) and browsers' Web Workers (./web-workers.ts) both use it.

/** Int32 slots of the control block. */
export const slot = { generation: 0, pending: 1, ready: 2, module: 3, exportIndex: 4, count: 5, threads: 6, argCount: 7, failed: 8, kind: 9, next: 10, messageLength: 11 } as const;
export const kind = { run: 0, load: 1, exit: 2 } as const;
export const maxArgs = 16;
/** Where a failing Web Worker leaves its error message (UTF-16 code units). */
export const messageOffset = 64 + maxArgs * 8;
export const messageChars = 256;
/** Bytes of the control block: 16 int32 slots, up to 16 float64 arguments, an error message. */
export const controlBytes = messageOffset + messageChars * 2;

/** Started worker threads, as the pool drives them through the control block. */
export interface WorkerGroup {
  /** Workers (threads besides the calling one). */
  readonly size: number;
  /** Whether every worker waits for tasks and holds every module, so a task may be dispatched. */
  isReady(): boolean;
  /** Resolves once isReady(), or once the group has failed (then `failure` says why). */
  whenReady(): Promise<void>;
  /** Why the workers could not start, or null. */
  readonly failure: string | null;
  /** Gives the workers a module loaded after they started. */
  load(module: WebAssembly.Module): void;
  /** Returns once every worker is done with the task signalled last (`pending` is 0). */
  join(): void;
  /** The error messages of workers that failed the task signalled last. */
  failures(): string[];
  dispose(): void;
}

/** Publishes task `task` (its other slots already written) to `workers` waiting workers. */
export function signal(ctrl: Int32Array, task: number, workers: number): void {
  ctrl[slot.kind] = task;
  ctrl[slot.failed] = 0;
  Atomics.store(ctrl, slot.next, 0);
  Atomics.store(ctrl, slot.pending, workers);
  Atomics.add(ctrl, slot.generation, 1);
  Atomics.notify(ctrl, slot.generation);
}
