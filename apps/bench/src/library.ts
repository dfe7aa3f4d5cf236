// What a benchmarked library provides for a suite: its self-reported facts and a way to upload
// operands once (outside the timed region) and then run the operation repeatedly.
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

/** Operands uploaded to a library; `run` computes and reads the product back to the host. */
export interface PreparedMatmul {
  run(): Promise<Float32Array>;
  dispose(): void;
}

export interface MatmulLibrary {
  /** A stable key used in reports, e.g. "tfjs-wasm". */
  name: string;
  info: LibraryInfo;
  prepare(operands: MatmulOperands): Promise<PreparedMatmul>;
}

/** The operand shapes: 2-D for one matrix, 3-D with a leading batch otherwise. */
export function operandShapes({ batch, m, k, n }: MatmulOperands): { a: number[]; b: number[] } {
  return batch === 1 ? { a: [m, k], b: [k, n] } : { a: [batch, m, k], b: [batch, k, n] };
}
