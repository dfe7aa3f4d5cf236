// The Params layout read from each kernel's WGSL (params.ts) checked against the real compiler:
// a probe shader with the kernel's own struct copies every field out of a uniform packed by
// packParams, and every value must come back where packParams put it.
import { afterAll, describe, expect, it } from 'vitest';
import binaryWgsl from './kernels/binary/binary.wgsl';
import concatWgsl from './kernels/concat/concat.wgsl';
import conv2dParamsWgsl from './kernels/conv2d/conv2d-params.wgsl';
import gatherWgsl from './kernels/gather/gather.wgsl';
import matmulWgsl from './kernels/matmul/matmul.wgsl';
import padWgsl from './kernels/pad/pad.wgsl';
import reductionWgsl from './kernels/reduce/reduction.wgsl';
import scatterAddWgsl from './kernels/scatter-add/scatter-add.wgsl';
import unaryWgsl from './kernels/unary/unary.wgsl';
import whereWgsl from './kernels/where/where.wgsl';
import { packParams, reflectParams } from './params.js';
import { backendForTests } from './test-support.js';

const backend = await backendForTests();

const kernels: Record<string, string> = {
  unary: unaryWgsl, binary: binaryWgsl, where: whereWgsl, pad: padWgsl, matmul: matmulWgsl,
  gather: gatherWgsl, scatterAdd: scatterAddWgsl, concat: concatWgsl,
  // NOTE: the reductions (sum, max, argmax) and the three conv2d kernels share their Params.
  reduction: reductionWgsl, conv2d: conv2dParamsWgsl,
};

describe('reflectParams', () => {
  it('follows WGSL alignment: vec4 arrays at 16-byte boundaries, size a multiple of 16', () => {
    const layout = reflectParams('alias C = i32;\nstruct Params {\n  a: u32, // note\n  b: C,\n  c: array<vec4<u32>, 2>,\n  d: f32,\n}');
    expect(layout.fields.map((f) => [f.name, f.scalar, f.offset, f.count])).toEqual([
      ['a', 'u32', 0, 1], ['b', 'i32', 4, 1], ['c', 'u32', 16, 8], ['d', 'f32', 48, 1],
    ]);
    expect(layout.size).toBe(64);
  });

  it('rejects a missing struct, an unknown type and a missing value', () => {
    expect(() => reflectParams('struct Other { a: u32 }', 'k')).toThrow(/declares no 'struct Params'/);
    expect(() => reflectParams('struct Params { a: mat2x2<f32> }', 'k')).toThrow(/not supported/);
    expect(() => packParams(reflectParams('struct Params { a: u32 }'), {}, 'k')).toThrow(/no value for Params field 'a'/);
  });
});

describe.skipIf(!backend)('Params layout on the real compiler', () => {
  const gpu = backend!;
  afterAll(() => gpu.dispose());

  it.each(Object.keys(kernels))('%s: every field reads back what packParams wrote', async (name) => {
    const struct = /struct Params\s*\{[^}]*\}/.exec(kernels[name])![0];
    const code = `alias C = f32;\n${struct}`;
    const layout = reflectParams(code, name);
    // Distinct values per scalar: 1000·field + index (as f32 for f32 fields).
    const values: Record<string, number[]> = {};
    layout.fields.forEach((f, i) => { values[f.name] = Array.from({ length: f.count }, (_, j) => 1000 * (i + 1) + j); });
    const reads = layout.fields.flatMap((f) => Array.from({ length: f.count }, (_, j) => {
      const access = f.count === 1 ? `p.${f.name}` : f.count <= 4 ? `p.${f.name}[${j}]` : `p.${f.name}[${Math.floor(j / 4)}][${j % 4}]`;
      return f.scalar === 'u32' ? access : `bitcast<u32>(${access})`;
    }));
    const probe = `${code}
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<uniform> p: Params;
@compute @workgroup_size(1) fn main() {
${reads.map((r, k) => `  out[${k}] = ${r};`).join('\n')}
}`;
    const device = gpu.device;
    device.pushErrorScope('validation');
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: probe }), entryPoint: 'main' } });
    const bytes = packParams(layout, values, name);
    const uniform = device.createBuffer({ size: bytes.byteLength, usage: 0x40 | 0x08 });
    device.queue.writeBuffer(uniform, 0, bytes);
    const out = device.createBuffer({ size: reads.length * 4, usage: 0x80 | 0x04 });
    const staging = device.createBuffer({ size: reads.length * 4, usage: 0x01 | 0x08 });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: out } }, { binding: 1, resource: { buffer: uniform } }] }));
    pass.dispatchWorkgroups(1);
    pass.end();
    encoder.copyBufferToBuffer(out, 0, staging, 0, reads.length * 4);
    device.queue.submit([encoder.finish()]);
    expect(await device.popErrorScope()).toBeNull();
    await staging.mapAsync(1);
    const got = new Uint32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    const view = new DataView(bytes);
    const expected = layout.fields.flatMap((f) => Array.from({ length: f.count }, (_, j) => view.getUint32(f.offset + 4 * j, true)));
    expect(Array.from(got)).toEqual(expected);
    for (const buffer of [uniform, out, staging]) buffer.destroy();
  });
});
