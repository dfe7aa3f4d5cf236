import { fusedAttentionOps } from '@longshort/attention';
import { createCpuBackend, getBackend, setBackend } from '@longshort/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { useBackend } from './backend.js';

describe('useBackend', () => {
  const previous = getBackend();
  afterAll(() => setBackend(previous));

  it("keeps the current CPU backend and gives it the fused attention kernels for 'cpu'", async () => {
    const backend = createCpuBackend({ name: 'cpu-cli-test' });
    setBackend(backend);
    expect(backend.hasKernel(fusedAttentionOps.causalLongShortAttention)).toBe(false);
    expect(await useBackend('cpu')).toBe('cpu-cli-test');
    expect(getBackend()).toBe(backend);
    for (const op of Object.values(fusedAttentionOps)) expect(backend.hasKernel(op), op).toBe(true);
    backend.dispose();
  });
});
