import { describe, expect, it } from 'vitest';
import { ModuleBuilder, signedLeb128, unsignedLeb128 } from './emitter.js';

function instantiate(build: (m: ModuleBuilder) => void, shared = false) {
  const m = new ModuleBuilder({ module: 'env', name: 'memory', initialPages: 1, maximumPages: shared ? 16 : undefined, shared });
  build(m);
  const memory = new WebAssembly.Memory(shared ? { initial: 1, maximum: 16, shared: true } : { initial: 1 });
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(m.encode()), { env: { memory } });
  return { exports: exports as Record<string, (...args: number[]) => number>, memory };
}

describe('LEB128', () => {
  it('encodes the spec examples', () => {
    expect(unsignedLeb128(0)).toEqual([0]);
    expect(unsignedLeb128(127)).toEqual([0x7f]);
    expect(unsignedLeb128(128)).toEqual([0x80, 0x01]);
    expect(unsignedLeb128(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(unsignedLeb128(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(signedLeb128(0)).toEqual([0]);
    expect(signedLeb128(63)).toEqual([0x3f]);
    expect(signedLeb128(64)).toEqual([0xc0, 0x00]);
    expect(signedLeb128(-1)).toEqual([0x7f]);
    expect(signedLeb128(-64)).toEqual([0x40]);
    expect(signedLeb128(-65)).toEqual([0xbf, 0x7f]);
    expect(signedLeb128(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });
});

describe('ModuleBuilder', () => {
  it('emits constants, arithmetic, calls and a counted loop that validate and run', () => {
    const { exports } = instantiate((m) => {
      const square = m.declare('square', ['i32'], ['i32'], { internal: true });
      square.get(square.params[0]).get(square.params[0]).i32Mul();
      m.function('sumOfSquares', ['i32'], ['i32'], (f) => {
        const i = f.local('i32');
        const total = f.local('i32');
        f.forRange(i, () => f.i32Const(0), () => f.get(f.params[0]), 1, () => {
          f.get(total).get(i).call(square).i32Add().set(total);
        });
        f.get(total);
      });
      m.function('negativeConstant', [], ['i32'], (f) => f.i32Const(-300000).i32Const(7).i32Sub());
      m.function('clampF32', ['f32'], ['f32'], (f) => f.get(f.params[0]).f32Const(-1.5).f32Max().f32Const(2.25).f32Min());
    });
    expect(exports.sumOfSquares(10)).toBe(285);
    expect(exports.sumOfSquares(0)).toBe(0);
    expect(exports.negativeConstant()).toBe(-300007);
    expect(exports.clampF32(9)).toBe(2.25);
    expect(exports.clampF32(-9)).toBe(-1.5);
    expect('square' in exports).toBe(false);
  });

  it('emits SIMD loads, splats, arithmetic, lane extraction and stores against an imported shared memory', () => {
    const { exports, memory } = instantiate((m) => {
      // axpy4(x, y, alpha): y[0..4] = alpha·x[0..4] + y[0..4]; returns lane 2 of the result.
      m.function('axpy4', ['i32', 'i32', 'f32'], ['f32'], (f) => {
        const [x, y, alpha] = f.params;
        const r = f.local('v128');
        f.get(alpha).f32x4Splat().get(x).v128Load().f32x4Mul().get(y).v128Load().f32x4Add().set(r);
        f.get(y).get(r).v128Store();
        f.get(r).f32x4ExtractLane(2);
      });
      m.function('broadcastFirst', ['i32', 'i32'], [], (f) => f.get(f.params[1]).get(f.params[0]).v128Load32Splat(4).v128Store(16));
    }, true);
    const f32 = new Float32Array(memory.buffer);
    f32.set([1, 2, 3, 4], 0);
    f32.set([10, 20, 30, 40], 4);
    expect(exports.axpy4(0, 16, 0.5)).toBe(31.5);
    expect(Array.from(f32.subarray(4, 8))).toEqual([10.5, 21, 31.5, 42]);
    exports.broadcastFirst(0, 64);
    expect(Array.from(f32.subarray(20, 24))).toEqual([2, 2, 2, 2]);
  });

  it('branches out of blocks by label and picks with select', () => {
    const { exports } = instantiate((m) => {
      // firstMultiple(n, d): the smallest i >= n divisible by d (d > 0), by searching upwards.
      m.function('firstMultiple', ['i32', 'i32'], ['i32'], (f) => {
        const [n, d] = f.params;
        f.block((found) => {
          f.loop((again) => {
            f.get(n).get(n).get(d).i32DivS().get(d).i32Mul().i32Eq().brIf(found);
            f.get(n).i32Const(1).i32Add().set(n);
            f.br(again);
          });
        });
        f.get(n);
      });
      m.function('max', ['i32', 'i32'], ['i32'], (f) => f.get(f.params[0]).get(f.params[1]).get(f.params[0]).get(f.params[1]).i32GtS().select());
    });
    expect(exports.firstMultiple(10, 7)).toBe(14);
    expect(exports.firstMultiple(14, 7)).toBe(14);
    expect(exports.max(3, -5)).toBe(3);
    expect(exports.max(-3, 5)).toBe(5);
  });
});
