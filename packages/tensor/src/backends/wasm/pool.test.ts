import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendError, createCpuBackend } from '../../index.js';
import type { CpuData } from '../cpu/cpu-kernel.js';
import { poolTestModule as testModule } from './pool-test-support.js';

const backend = createCpuBackend({ name: 'pool-test', threads: 3 });
afterAll(() => backend.dispose());

describe('the CPU backend thread pool', () => {
  const wasm = backend.wasm!;
  const mod = wasm.load(testModule(wasm));
  const data = backend.alloc('i32', 12) as CpuData;
  const base = wasm.pointerOf(data)!;
  const flags = base + 40;
  const handshake = (trap: number) => {
    data.array.fill(0);
    wasm.parallelFor(mod, 'handshake', 10, [base, flags, trap]);
  };

  it('runs every item exactly once, on the workers too, and on the caller alone when asked for one thread', () => {
    expect(wasm.threads).toBe(3);
    expect(wasm.shared).toBe(true);
    data.array.fill(0);
    wasm.parallelFor(mod, 'mark', 10, [base]);
    expect(Array.from(data.array.subarray(0, 10)).every((t) => t >= 1 && t <= 3)).toBe(true);
    handshake(0);
    const threads = new Set(data.array.subarray(0, 10));
    expect(threads.has(0)).toBe(false);
    expect(threads.has(1)).toBe(true);
    expect(threads.size).toBeGreaterThan(1);
    data.array.fill(0);
    wasm.parallelFor(mod, 'mark', 10, [base], { threads: 1 });
    expect(Array.from(data.array.subarray(0, 10))).toEqual(new Array(10).fill(1));
  });

  it('reports a trap on a worker as a BackendError with its message, and keeps working', () => {
    expect(() => handshake(1)).toThrow(BackendError);
    expect(() => handshake(1)).toThrow(/unreachable/);
    expect(() => handshake(2)).toThrow(WebAssembly.RuntimeError);
    data.array.fill(0);
    wasm.parallelFor(mod, 'mark', 3, [base]);
    expect(Array.from(data.array.subarray(0, 3)).every((t) => t >= 1)).toBe(true);
  });

  it('runs on one thread when asked for one', () => {
    const one = createCpuBackend({ name: 'one', threads: 1 });
    expect(one.capabilities.info.threads).toBe(1);
    const m = one.wasm!.load(testModule(one.wasm!));
    const d = one.alloc('i32', 4) as CpuData;
    one.wasm!.parallelFor(m, 'mark', 4, [one.wasm!.pointerOf(d)!]);
    expect(Array.from(d.array)).toEqual([1, 1, 1, 1]);
    one.dispose();
  });

  it('does not keep Node from exiting when a backend with started workers is never disposed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'longshort-pool-'));
    const script = join(dir, 'exit.mts');
    const index = fileURLToPath(new URL('../../index.ts', import.meta.url));
    writeFileSync(script, `import { createCpuBackend, matmul, ones } from ${JSON.stringify(index)};
const b = createCpuBackend({ threads: 2 });
const c = matmul(ones([256, 256], 'f32', b), ones([256, 256], 'f32', b));
console.log('sum', c.dataSync()[0]);
`);
    const started = Date.now();
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('sum 256');
    expect(result.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
