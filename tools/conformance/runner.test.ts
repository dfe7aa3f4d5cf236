// The conformance runner on small fixtures written to a temp dir: passing, failing (error over the
// limit, uncovered tensors, a throwing handler, an unreadable file), skipped (no module, no
// fixtureHandler export, kind not handled) and a required kind that is skipped (failed); then the
// command line end to end on the same files with handler modules on disk.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCpuBackend } from '@longshort/tensor';
import type { Fixture, FixtureHandler } from '@longshort/tensor/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCode, formatReport, formatSummary, missingModuleReason, listFixtures, parseManifest, runFixtures, summarize, type FixtureReport, type Manifest } from './runner.js';

/** A safetensors file: u64 LE header length, JSON header with __metadata__, little-endian data. */
function safetensors(metadata: Record<string, string>, tensors: Record<string, { shape: number[]; values: number[] }>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, { shape, values }] of Object.entries(tensors)) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + 4 * values.length] };
    offset += 4 * values.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length + offset);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  let position = 8 + json.length;
  for (const { values } of Object.values(tensors)) {
    const view = new DataView(bytes.buffer, position, 4 * values.length);
    values.forEach((v, i) => view.setFloat32(4 * i, v, true));
    position += 4 * values.length;
  }
  return bytes;
}

const tensors = {
  'input.x': { shape: [2, 2], values: [1, 2, 3, 4] },
  'output.y': { shape: [2, 2], values: [2, 4, 6, 8] },
  'grad.input.x': { shape: [0, 3], values: [] },
};

/** A handler comparing `2·input.x` with output.y; `scale` lets it be wrong on purpose. */
function doubler(kinds: string[], scale = 2): FixtureHandler {
  return {
    kinds,
    async run(fixture: Fixture) {
      const x = await fixture.tensors.get('input.x')!.data();
      const y = await fixture.tensors.get('output.y')!.data();
      const diff = Math.max(...Array.from(y, (v, i) => Math.abs(scale * x[i] - v)));
      return { outputs: [{ name: 'output.y', relError: diff / 8 }], gradients: [{ name: 'grad.input.x', relError: 0 }] };
    },
  };
}

const manifest: Manifest = {
  required: ['required-kind'],
  kinds: {
    'good-kind': 'fake/good',
    'wrong-kind': 'fake/wrong',
    'partial-kind': 'fake/partial',
    'throwing-kind': 'fake/throws',
    'missing-kind': 'fake/missing',
    'no-export-kind': 'fake/no-export',
    'unhandled-kind': 'fake/good',
    'required-kind': 'fake/missing',
  },
};

const modules: Record<string, unknown> = {
  'fake/good': { fixtureHandler: doubler(['good-kind']) },
  'fake/wrong': { fixtureHandler: doubler(['wrong-kind'], 2.01) },
  'fake/partial': { fixtureHandler: { kinds: ['partial-kind'], run: async () => ({ outputs: [{ name: 'output.y', relError: 0 }], gradients: [] }) } },
  'fake/throws': { fixtureHandler: { kinds: ['throwing-kind'], run: async () => { throw new Error('boom'); } } },
  'fake/no-export': { somethingElse: 1 },
};

async function fakeImport(specifier: string): Promise<unknown> {
  if (specifier in modules) return modules[specifier];
  throw Object.assign(new Error(`Cannot find package '${specifier.split('/')[0]}' imported from runner.ts`), { code: 'ERR_MODULE_NOT_FOUND' });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'conformance-'));
  for (const kind of Object.keys(manifest.kinds).concat('unlisted-kind')) {
    writeFileSync(join(dir, `${kind}.safetensors`), safetensors({ kind, config: '{"dim":2}' }, tensors));
  }
  writeFileSync(join(dir, 'broken.safetensors'), new Uint8Array([1, 2, 3]));
  writeFileSync(join(dir, 'notes.txt'), 'not a fixture');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runFixtures', () => {
  let reports: FixtureReport[];
  const byFile = (file: string) => reports.find((r) => r.file === `${file}.safetensors`)!;

  beforeAll(async () => {
    reports = await runFixtures({ dir, manifest, backend: createCpuBackend(), importModule: fakeImport });
  });

  it('reports every *.safetensors file in name order', () => {
    expect(reports.map((r) => r.file)).toEqual(listFixtures(dir));
    expect(reports).toHaveLength(10);
  });

  it('passes a fixture whose handler reproduces every output and gradient', () => {
    expect(byFile('good-kind')).toMatchObject({ kind: 'good-kind', status: 'passed', outputsMaxRelError: 0, gradientsMaxRelError: 0 });
  });

  it('fails errors over the limit, uncovered tensors, throwing handlers and unreadable files', () => {
    expect(byFile('wrong-kind')).toMatchObject({ status: 'failed', reason: expect.stringContaining('outputs over 0.0001: output.y') });
    expect(byFile('wrong-kind').outputsMaxRelError).toBeCloseTo(0.005, 6);
    expect(byFile('partial-kind')).toMatchObject({ status: 'failed', reason: 'gradients not compared: grad.input.x' });
    expect(byFile('throwing-kind')).toMatchObject({ status: 'failed', reason: 'handler threw: boom' });
    expect(byFile('broken')).toMatchObject({ kind: null, status: 'failed', reason: expect.stringMatching(/^cannot load: /) });
  });

  it('skips kinds without a handler and says why', () => {
    expect(byFile('missing-kind')).toMatchObject({ status: 'skipped', reason: 'no handler module: fake/missing is not installed' });
    expect(byFile('no-export-kind')).toMatchObject({ status: 'skipped', reason: 'fake/no-export has no fixtureHandler export' });
    expect(byFile('unhandled-kind')).toMatchObject({ status: 'skipped', reason: "fake/good does not handle kind 'unhandled-kind'" });
    expect(byFile('unlisted-kind')).toMatchObject({ status: 'skipped', reason: "kind 'unlisted-kind' is not in the manifest" });
  });

  it('counts a skipped required kind as failed', () => {
    expect(byFile('required-kind')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^required kind skipped: no handler module/) });
  });

  it('summarises and sets the exit code', () => {
    expect(summarize(reports)).toEqual({ passed: 1, failed: 5, skipped: 4 });
    expect(formatSummary(summarize(reports))).toBe('1 passed, 5 failed, 4 skipped');
    expect(exitCode(reports)).toBe(1);
    expect(exitCode(reports.filter((r) => r.status !== 'failed'))).toBe(0);
    expect(formatReport(byFile('good-kind'))).toMatch(/^good-kind\.safetensors\s+good-kind\s+out 0\.00e\+0\s+grad 0\.00e\+0\s+PASSED$/);
    expect(formatReport(byFile('missing-kind'))).toMatch(/out -\s+grad -\s+SKIPPED {2}\(no handler module/);
  });
});

describe('parseManifest and missingModuleReason', () => {
  it('accepts the committed manifest and rejects malformed ones', () => {
    const committed = parseManifest(JSON.parse(readFileSync(join(import.meta.dirname, 'manifest.json'), 'utf8')));
    expect(Object.keys(committed.kinds).sort()).toEqual(['bidirectional-attention', 'causal-lm', 'vision-attention', 'vision-model']);
    expect(() => parseManifest({ required: 'x', kinds: {} })).toThrow(/expected/);
    expect(() => parseManifest({ required: ['a'], kinds: { b: 'm' } })).toThrow(/required kinds have no module in "kinds": a/);
  });

  it('tells a missing module from one that fails while loading', () => {
    const notExported = Object.assign(new Error(`Package subpath './testing' is not defined by "exports" in /r/node_modules/@longshort/lm/package.json imported from /r/x.ts`), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
    expect(missingModuleReason(notExported, '@longshort/lm/testing')).toBe("@longshort/lm does not export './testing'");
    expect(missingModuleReason(notExported, '@longshort/vision/testing')).toBeNull();
    const noPackage = Object.assign(new Error(`Cannot find package '@longshort/lm' imported from /r/x.ts`), { code: 'ERR_MODULE_NOT_FOUND' });
    expect(missingModuleReason(noPackage, '@longshort/lm/testing')).toBe('@longshort/lm/testing is not installed');
    const innerFile = Object.assign(new Error(`Cannot find module '/r/packages/lm/src/testing/gone.js' imported from /r/packages/lm/src/testing/index.ts`), { code: 'ERR_MODULE_NOT_FOUND' });
    expect(missingModuleReason(innerFile, '@longshort/lm/testing')).toBeNull();
    expect(missingModuleReason(new SyntaxError('Unexpected token'), '@longshort/lm/testing')).toBeNull();
  });
});

describe('conformance cli', () => {
  const repoRoot = join(import.meta.dirname, '..', '..');
  const run = (args: string[]) => {
    try {
      const stdout = execFileSync(process.execPath, ['--conditions=@longshort/source', '--import', 'tsx', 'tools/conformance/cli.ts', ...args], {
        cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, INIT_CWD: repoRoot },
      });
      return { status: 0, stdout, stderr: '' };
    } catch (error) {
      const { status, stdout, stderr } = error as { status: number; stdout: string; stderr: string };
      return { status, stdout, stderr };
    }
  };

  it('prints a line per fixture and the summary, writes JSON, and exits 1 on a failure', () => {
    const cliDir = mkdtempSync(join(tmpdir(), 'conformance-cli-'));
    try {
      const handler = join(cliDir, 'handler.mjs');
      writeFileSync(handler, `export const fixtureHandler = {
  kinds: ['good-kind', 'wrong-kind'],
  async run(fixture) {
    const x = await fixture.tensors.get('input.x').data();
    const y = await fixture.tensors.get('output.y').data();
    const scale = fixture.kind === 'good-kind' ? 2 : 3;
    const diff = Math.max(...Array.from(y, (v, i) => Math.abs(scale * x[i] - v)));
    return { outputs: [{ name: 'output.y', relError: diff / 8 }], gradients: [{ name: 'grad.input.x', relError: 0 }] };
  },
};\n`);
      const fixtures = join(cliDir, 'fixtures');
      execFileSync('mkdir', [fixtures]);
      for (const kind of ['good-kind', 'wrong-kind', 'missing-kind']) {
        writeFileSync(join(fixtures, `${kind}.safetensors`), safetensors({ kind, config: '{}' }, tensors));
      }
      const manifestFile = join(cliDir, 'manifest.json');
      const url = pathToFileURL(handler).href;
      writeFileSync(manifestFile, JSON.stringify({ required: [], kinds: { 'good-kind': url, 'wrong-kind': url, 'missing-kind': '@longshort/no-such-package/testing' } }));
      const { status, stdout } = run([fixtures, '--manifest', manifestFile, '--json', join(cliDir, 'out.json')]);
      const lines = stdout.trim().split('\n');
      expect(lines.at(-1)).toBe('1 passed, 1 failed, 1 skipped');
      expect(lines.find((l) => l.startsWith('good-kind'))).toMatch(/PASSED$/);
      expect(lines.find((l) => l.startsWith('wrong-kind'))).toMatch(/out 5\.00e-1 .*FAILED/);
      expect(lines.find((l) => l.startsWith('missing-kind'))).toMatch(/SKIPPED {2}\(no handler module: @longshort\/no-such-package\/testing is not installed\)$/);
      expect(status).toBe(1);
      const json = JSON.parse(readFileSync(join(cliDir, 'out.json'), 'utf8'));
      expect(json.summary).toEqual({ passed: 1, failed: 1, skipped: 1 });
      expect(json.fixtures.map((f: FixtureReport) => f.status)).toEqual(['passed', 'skipped', 'failed']);
    } finally {
      rmSync(cliDir, { recursive: true, force: true });
    }
  });

  it('exits 2 on bad usage', () => {
    expect(run(['--backend', 'tpu'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--backend must be cpu or webgpu') });
    expect(run([join(repoRoot, 'tools')])).toMatchObject({ status: 2, stderr: expect.stringContaining('no *.safetensors fixtures') });
  });
});
