// Smoke tests of the command line, run on sources as `pnpm bench` runs it: `bench matmul --quick
// --json <file>` on longshort-cpu only and `bench attention --quick --json <file>` write complete
// reports (the attention one with its two charts) and exit 0; bad arguments exit 2.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchReport } from './report.js';
import type { AttentionReport } from './suites/attention.bench.js';

const benchRoot = join(import.meta.dirname, '..');
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  execFileSync(process.execPath, ['--conditions=@longshort/source', '--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: benchRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });

describe('bench cli', () => {
  it('runs the quick matmul suite and writes the JSON report relative to INIT_CWD', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-cli-'));
    try {
      const table = cli(['matmul', '--quick', '--json', 'out/quick.json'], { INIT_CWD: dir });
      expect(table).toMatch(/^case\s+library/);
      const report = JSON.parse(readFileSync(join(dir, 'out', 'quick.json'), 'utf8')) as BenchReport;
      expect(report.suite).toBe('matmul');
      expect(Object.keys(report.libraries)).toEqual(['longshort-cpu']);
      expect(report.machine.cpus).toBeGreaterThan(0);
      expect(report.machine.node).toBe(process.version);
      expect(report.cases).toHaveLength(3);
      for (const entry of report.cases) {
        expect(entry.results['longshort-cpu']).toMatchObject({ runs: 3, threads: (report.libraries['longshort-cpu'] as { threads: number }).threads });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the quick attention suite and writes the JSON report with its time and memory charts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-cli-'));
    try {
      const table = cli(['attention', '--quick', '--json', join(dir, 'attention.json')]);
      expect(table).toMatch(/^config\s+method\s+n\s+fwd ms/);
      const report = JSON.parse(readFileSync(join(dir, 'attention.json'), 'utf8')) as AttentionReport;
      expect(report.suite).toBe('attention');
      expect(report.configs.map((c) => c.name)).toEqual(['lra', 'wide']);
      expect(report.configs[1].methods['long-short-fused'].series.map((p) => p.n)).toEqual([64, 128]);
      expect(report.validation.fixtures.every((f) => f.ok)).toBe(true);
      for (const chart of ['time', 'memory']) {
        const svg = readFileSync(join(dir, `attention.${chart}.svg`), 'utf8');
        expect(svg).toMatch(/^<\?xml[^>]*>\n<svg /);
        expect(svg).toContain('data-name="long-short-fused forward');
      }
      expect(existsSync(join(dir, 'attention.json.time.svg'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown suite, and --libs outside the matmul suite, with exit status 2', () => {
    expect(() => cli(['conv'])).toThrow(expect.objectContaining({ status: 2, stderr: expect.stringContaining("unknown suite 'conv'; expected matmul or webgpu or attention or lm") }));
    expect(() => cli(['attention', '--libs', 'tfjs-cpu'])).toThrow(expect.objectContaining({ status: 2, stderr: expect.stringContaining('--libs applies to the matmul suite only') }));
    expect(() => cli(['matmul', '--allow-software'])).toThrow(expect.objectContaining({ status: 2, stderr: expect.stringContaining('--allow-software applies to the webgpu suite only') }));
  });
});
