// Smoke test of the command line: `bench matmul --quick --json <file>` on longshort-cpu only, run
// on sources as `pnpm bench` runs it, writes a complete report and exits 0.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchReport } from './report.js';

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
        expect(entry.results['longshort-cpu']).toMatchObject({ runs: 3, threads: 1 });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown suite with exit status 2', () => {
    expect(() => cli(['conv'])).toThrow(expect.objectContaining({ status: 2, stderr: expect.stringContaining("unknown suite 'conv'") }));
  });
});
