// What a benchmarked library provides for a suite: its self-reported facts and a way to upload
// operands once (outside the timed region) and then run the operation repeatedly; a library that
// times itself in another process (PyTorch) measures a whole case instead.
import type { Budget } from './measure.js';
import type { LibraryInfo } from './report.js';

/** fp32 operands of a (batched) matmul: a (batch, m, k) · b (batch, k, n), row-major. */
export interface MatmulOperands {
  batch: number;
  m: number;
  k: number;
  n: number;
  a: Float32Array;
  b: Float32Array;
}

/** fp32 softmax along the last axis of x (rows, cols), row-major. */
export interface SoftmaxOperands {
  rows: number;
  cols: number;
  x: Float32Array;
}

/** fp32 layer normalization over the last axis of x (rows, cols) with gamma and beta (cols). */
export interface LayerNormOperands {
  rows: number;
  cols: number;
  eps: number;
  x: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
}

/** The operands of one op of the WebGPU suite, tagged by op. */
export type OpOperands =
  | ({ op: 'matmul' } & MatmulOperands)
  | ({ op: 'softmax' } & SoftmaxOperands)
  | ({ op: 'layerNorm' } & LayerNormOperands);

/** Operands uploaded to a library; `run` computes and reads the result back to the host. */
export interface PreparedRun {
  run(): Promise<Float32Array>;
  dispose(): void;
}

/** What a library that times itself returns for one case: its first output and its run times. */
export interface SelfMeasured {
  /** The output of the first (untimed or slow, see Budget.slowRunMs) run. */
  output: Float32Array;
  /** Run times in milliseconds, measured in the library's own process under the suite's budget. */
  timesMs: number[];
}

/** A library of the matmul suite, run in this process. */
export interface InProcessMatmulLibrary {
  /** A stable key used in reports, e.g. "tfjs-wasm". */
  name: string;
  info: LibraryInfo;
  prepare(operands: MatmulOperands): Promise<PreparedRun>;
}

/** A library of the matmul suite timed in its own process (PyTorch): validated on its first output. */
export interface SelfTimedMatmulLibrary {
  name: string;
  info: LibraryInfo;
  measureSelf(operands: MatmulOperands, budget: Budget): Promise<SelfMeasured>;
}

export type MatmulLibrary = InProcessMatmulLibrary | SelfTimedMatmulLibrary;

/** A library of the WebGPU suite: matmul, softmax and layerNorm, each computed and read back. */
export interface OpLibrary {
  name: string;
  info: LibraryInfo;
  prepare(operands: OpOperands): Promise<PreparedRun>;
}

/** The operand shapes: 2-D for one matrix, 3-D with a leading batch otherwise. */
export function operandShapes({ batch, m, k, n }: MatmulOperands): { a: number[]; b: number[] } {
  return batch === 1 ? { a: [m, k], b: [k, n] } : { a: [batch, m, k], b: [batch, k, n] };
}
