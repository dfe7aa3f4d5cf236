// Test support shared by the fused core tests (spec A.3 steps 5–9, B.5 steps 5–6): a run of a
// core's loss on a backend, the comparison of a run's outputs (context, lse, then input gradients)
// with a reference run's, and the JS-reference against wasm (1 and 2 threads) set-up and check. Not
// published.
import { createCpuBackend, fromArray, tidy, type Backend, type CpuBackend, type Tensor } from '@longshort/tensor';
import { relativeError } from '@longshort/tensor/testing';
import { afterAll, expect } from 'vitest';
import { registerFusedAttentionKernels } from './register.js';

/** A case's inputs: their values and stored shapes. */
export interface RunInputs {
  readonly values: readonly Float64Array[];
  readonly shapes: readonly number[][];
}

/**
 * context, lse and the gradients of the inputs (f32 tensors of `data` on `backend`) of `loss`, a
 * core's forward and backward (coreLoss, causalLoss; called inside tidy); frees every tensor it made.
 * @example const [context, lse, ...grads] = await runLoss(gpu, data, (inputs) => causalLoss(inputs, data, c.attrs));
 */
export async function runLoss(backend: Backend, data: RunInputs, loss: (inputs: Tensor[]) => { context: Tensor; lse: Tensor }): Promise<Float32Array[]> {
  const inputs = data.values.map((v, i) => fromArray(v, data.shapes[i], 'f32', backend).requireGrad());
  const results = tidy(() => {
    const { context, lse } = loss(inputs);
    return [context, lse, ...inputs.map((t) => t.grad!)];
  });
  try {
    return await Promise.all(results.map(async (t) => Float32Array.from(await t.data())));
  } finally {
    for (const t of [...results, ...inputs]) t.dispose();
  }
}

/**
 * Expects each of `got` to have the length of, and lie within `tolerance` relative error of, the
 * same output of `expected`; `labels` name the outputs in failures.
 * @example expectOutputsClose(runCore(gpu, c), runCore(cpu, c), coreOutputNames, 1e-4);
 */
export function expectOutputsClose(got: readonly ArrayLike<number>[], expected: readonly ArrayLike<number>[], labels: readonly string[], tolerance: number): void {
  expect(got.length).toBe(expected.length);
  got.forEach((values, i) => {
    expect(values.length, labels[i]).toBe(expected[i].length);
    expect(relativeError(values, expected[i]), labels[i]).toBeLessThan(tolerance);
  });
}

/** A reference CPU backend (JS kernels, float64 accumulation) and wasm backends on 1 and 2 threads. */
export interface WasmBackends {
  readonly reference: CpuBackend;
  readonly wasm1: CpuBackend;
  readonly wasm2: CpuBackend;
}

/**
 * The backends of a wasm kernel test (names `${prefix}-reference`, `${prefix}-wasm-1`, `-wasm-2`),
 * with the fused kernels registered, disposed after the test file.
 * @example const backends = wasmBackends('cpu-fused');
 */
export function wasmBackends(prefix: string): WasmBackends {
  const backends = {
    reference: createCpuBackend({ name: `${prefix}-reference`, kernels: 'reference' }),
    wasm1: createCpuBackend({ name: `${prefix}-wasm-1`, threads: 1 }),
    wasm2: createCpuBackend({ name: `${prefix}-wasm-2`, threads: 2 }),
  };
  const all = Object.values(backends);
  for (const backend of all) registerFusedAttentionKernels(backend);
  afterAll(() => {
    for (const backend of all) backend.dispose();
  });
  return backends;
}

/**
 * Expects `run` on the wasm kernels to give the reference's outputs within `tolerance`, and the
 * same bits on 1 and 2 threads and on a rerun.
 * @example await expectWasmMatches(backends, (backend) => run(backend, c), coreOutputNames, 1e-5);
 */
export async function expectWasmMatches({ reference, wasm1, wasm2 }: WasmBackends, run: (backend: CpuBackend) => Promise<Float32Array[]>, labels: readonly string[], tolerance: number): Promise<void> {
  const ref = await run(reference);
  const one = await run(wasm1);
  const two = await run(wasm2);
  const again = await run(wasm2);
  expectOutputsClose(one, ref, labels, tolerance);
  two.forEach((values, i) => expect(values, `${labels[i]}: 2 threads`).toEqual(one[i]));
  again.forEach((values, i) => expect(values, `${labels[i]}: rerun`).toEqual(two[i]));
}
