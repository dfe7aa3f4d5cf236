// conv2d and its backward kernels against the CPU reference: strides, padding, dilation, groups,
// bias, and the input and weight gradients.
import { conv2d, type Conv2dOptions } from '@longshort/tensor';
import { afterAll, describe, it } from 'vitest';
import { backendForTests, compareGradientsWithReference, compareWithReference } from '../../test-support.js';

const backend = await backendForTests();

describe.skipIf(!backend)('conv2d kernels on WebGPU', () => {
  const gpu = backend!;
  afterAll(() => gpu.dispose());
  const tolerance = { atol: 1e-4, rtol: 1e-4 };

  const cases: [string, Conv2dOptions, number, number][] = [
    ['3×3, no options', {}, 3, 4],
    ['stride 2, padding 1', { stride: 2, padding: 1 }, 3, 4],
    ['dilation 2, padding [2, 1], stride [1, 2]', { dilation: 2, padding: [2, 1], stride: [1, 2] }, 2, 3],
    ['groups 2', { groups: 2, padding: 1 }, 4, 6],
    ['patch embedding (kernel = stride = 4)', { stride: 4 }, 3, 5],
  ];

  it.each(cases)('%s: forward with and without bias', async (name, options, cin, cout) => {
    const k = name.startsWith('patch') ? 4 : 3;
    const groups = options.groups ?? 1;
    const shapes = [{ shape: [2, cin, 9, 8] }, { shape: [cout, cin / groups, k, k] }, { shape: [cout] }];
    await compareWithReference(gpu, (x, w, b) => conv2d(x, w, b, options), shapes, tolerance);
    await compareWithReference(gpu, (x, w) => conv2d(x, w, null, options), shapes.slice(0, 2), tolerance);
  });

  it.each(cases)('%s: input, weight and bias gradients', async (name, options, cin, cout) => {
    const k = name.startsWith('patch') ? 4 : 3;
    const groups = options.groups ?? 1;
    await compareGradientsWithReference(gpu, (x, w, b) => conv2d(x, w, b, options),
      [{ shape: [2, cin, 9, 8] }, { shape: [cout, cin / groups, k, k] }, { shape: [cout] }], tolerance);
  });
});
