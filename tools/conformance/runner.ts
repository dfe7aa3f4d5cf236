// The fixture conformance runner: loads every `*.safetensors` reference fixture of a directory
// (format: fixtures/reference/README.md), runs it through the handler that the manifest names for
// its kind, and classifies it passed / failed / skipped. A kind without a handler is skipped with
// the reason, never passed; a skipped kind the manifest requires counts as failed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '@longshort/tensor';
import { loadFixture, type Fixture, type FixtureComparison, type FixtureHandler } from '@longshort/tensor/testing';

/** tools/conformance/manifest.json: the kinds that must pass, and the module handling each kind. */
export interface Manifest {
  required: string[];
  /** kind → module specifier exporting `fixtureHandler` (e.g. "@longshort/attention/testing"). */
  kinds: Record<string, string>;
}

/** The fixtures' tolerances (README "Tolerances"): relative error max|a − b| / max|b| below these. */
export interface Thresholds {
  outputs: number;
  gradients: number;
}

export const defaultThresholds: Thresholds = { outputs: 1e-4, gradients: 1e-3 };

export type FixtureStatus = 'passed' | 'failed' | 'skipped';

export interface FixtureReport {
  file: string;
  kind: string | null;
  status: FixtureStatus;
  /** Why it failed or was skipped. */
  reason?: string;
  outputsMaxRelError: number | null;
  gradientsMaxRelError: number | null;
  outputs: FixtureComparison[];
  gradients: FixtureComparison[];
}

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
}

export interface RunOptions {
  dir: string;
  manifest: Manifest;
  backend: Backend;
  thresholds?: Thresholds;
  /** Loads a handler module (default: dynamic `import()`); tests inject fakes. */
  importModule?: (specifier: string) => Promise<unknown>;
  /** Called with each report as soon as it is ready (the CLI prints it). */
  onReport?: (report: FixtureReport) => void;
}

/** Checks the shape of a parsed manifest.json; throws with the problem otherwise. */
export function parseManifest(json: unknown): Manifest {
  const value = json as Partial<Manifest> | null;
  const isStringRecord = (x: unknown): x is Record<string, string> =>
    typeof x === 'object' && x !== null && !Array.isArray(x) && Object.values(x).every((v) => typeof v === 'string');
  if (!value || !Array.isArray(value.required) || !value.required.every((k) => typeof k === 'string') || !isStringRecord(value.kinds)) {
    throw new Error('manifest: expected { "required": string[], "kinds": { [kind]: module } }.');
  }
  const unmapped = value.required.filter((kind) => !(kind in value.kinds!));
  if (unmapped.length > 0) throw new Error(`manifest: required kinds have no module in "kinds": ${unmapped.join(', ')}.`);
  return { required: value.required, kinds: value.kinds };
}

/** The `*.safetensors` files of `dir`, sorted by name. */
export function listFixtures(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.safetensors')).sort();
}

type Resolution = { handler: FixtureHandler } | { skip: string } | { fail: string };

const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/**
 * Why `specifier` itself is absent (its package is not installed, or the subpath is not in its
 * package's exports), or null when the error comes from a module that exists and fails to load.
 */
export function missingModuleReason(error: unknown, specifier: string): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  const text = message(error);
  const parts = specifier.split('/');
  const packageName = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const subpath = `.${specifier.slice(packageName.length)}`;
  if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' && text.includes(`'${subpath}'`) && text.includes(`${packageName}/package.json`)) {
    return `${packageName} does not export '${subpath}'`;
  }
  if (code === 'ERR_MODULE_NOT_FOUND' && (text.includes(`'${packageName}'`) || text.includes(`'${specifier}'`))) {
    return `${specifier} is not installed`;
  }
  return null;
}

async function resolveHandler(specifier: string, importModule: (specifier: string) => Promise<unknown>): Promise<Resolution> {
  let module: unknown;
  try {
    module = await importModule(specifier);
  } catch (error) {
    const missing = missingModuleReason(error, specifier);
    if (missing !== null) return { skip: `no handler module: ${missing}` };
    return { fail: `handler module ${specifier} failed to load: ${message(error)}` };
  }
  const handler = (module as { fixtureHandler?: FixtureHandler } | null)?.fixtureHandler;
  if (!handler || !Array.isArray(handler.kinds) || typeof handler.run !== 'function') {
    return { skip: `${specifier} has no fixtureHandler export` };
  }
  return { handler };
}

const maxRelError = (comparisons: readonly FixtureComparison[]) =>
  comparisons.length === 0 ? null : comparisons.reduce((max, c) => (Number.isNaN(c.relError) || c.relError > max ? c.relError : max), 0);

/** The problems of a handler's result: uncovered or unknown tensors, errors at or over the limits. */
function judge(fixture: Fixture, outputs: FixtureComparison[], gradients: FixtureComparison[], thresholds: Thresholds): string[] {
  const problems: string[] = [];
  const names = [...fixture.tensors.keys()];
  const groups = [['output.', outputs, thresholds.outputs, 'outputs'], ['grad.', gradients, thresholds.gradients, 'gradients']] as const;
  for (const [prefix, comparisons, limit, label] of groups) {
    const compared = new Set(comparisons.map((c) => c.name));
    const missing = names.filter((name) => name.startsWith(prefix) && !compared.has(name));
    if (missing.length > 0) problems.push(`${label} not compared: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? `, … (${missing.length})` : ''}`);
    const unknown = comparisons.filter((c) => !fixture.tensors.has(c.name) || !c.name.startsWith(prefix)).map((c) => c.name);
    if (unknown.length > 0) problems.push(`${label} name tensors the fixture lacks: ${unknown.join(', ')}`);
    const over = comparisons.filter((c) => !(c.relError < limit));
    if (over.length > 0) problems.push(`${label} over ${limit}: ${over.slice(0, 5).map((c) => `${c.name} ${c.relError.toExponential(2)}`).join(', ')}`);
  }
  if (outputs.length === 0) problems.push('the handler compared no outputs');
  return problems;
}

/**
 * Runs every fixture of `options.dir` and returns one report per file, in file-name order.
 * @example const reports = await runFixtures({ dir: 'fixtures/reference', manifest, backend: createCpuBackend() });
 */
export async function runFixtures(options: RunOptions): Promise<FixtureReport[]> {
  const { dir, manifest, backend, thresholds = defaultThresholds, importModule = (specifier) => import(specifier), onReport } = options;
  const handlers = new Map<string, Promise<Resolution>>();
  const reports: FixtureReport[] = [];
  for (const file of listFixtures(dir)) {
    const report = await runOne(file);
    reports.push(report);
    onReport?.(report);
  }
  return reports;

  async function runOne(file: string): Promise<FixtureReport> {
    const base = { file, outputsMaxRelError: null, gradientsMaxRelError: null, outputs: [], gradients: [] };
    let fixture: Fixture;
    try {
      fixture = loadFixture(readFileSync(join(dir, file)), backend);
    } catch (error) {
      return { ...base, kind: null, status: 'failed', reason: `cannot load: ${message(error)}` };
    }
    const { kind } = fixture;
    try {
      const specifier = manifest.kinds[kind];
      let resolution: Resolution;
      if (specifier === undefined) {
        resolution = { skip: `kind '${kind}' is not in the manifest` };
      } else {
        if (!handlers.has(specifier)) handlers.set(specifier, resolveHandler(specifier, importModule));
        resolution = await handlers.get(specifier)!;
        if ('handler' in resolution && !resolution.handler.kinds.includes(kind)) resolution = { skip: `${specifier} does not handle kind '${kind}'` };
      }
      if ('fail' in resolution) return { ...base, kind, status: 'failed', reason: resolution.fail };
      if ('skip' in resolution) {
        return manifest.required.includes(kind)
          ? { ...base, kind, status: 'failed', reason: `required kind skipped: ${resolution.skip}` }
          : { ...base, kind, status: 'skipped', reason: resolution.skip };
      }
      let outputs: FixtureComparison[];
      let gradients: FixtureComparison[];
      try {
        const result = await resolution.handler.run(fixture, backend);
        outputs = Array.isArray(result?.outputs) ? result.outputs : [];
        gradients = Array.isArray(result?.gradients) ? result.gradients : [];
      } catch (error) {
        return { ...base, kind, status: 'failed', reason: `handler threw: ${message(error)}` };
      }
      const measured = { outputs, gradients, outputsMaxRelError: maxRelError(outputs), gradientsMaxRelError: maxRelError(gradients) };
      const problems = judge(fixture, outputs, gradients, thresholds);
      return problems.length === 0
        ? { file, kind, status: 'passed', ...measured }
        : { file, kind, status: 'failed', reason: problems.join('; '), ...measured };
    } finally {
      for (const tensor of fixture.tensors.values()) tensor.dispose();
    }
  }
}

/** Counts of passed, failed and skipped fixtures. */
export function summarize(reports: readonly FixtureReport[]): Summary {
  const count = (status: FixtureStatus) => reports.filter((r) => r.status === status).length;
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

const formatError = (value: number | null) => (value === null ? '-' : value.toExponential(2));

/** One printed line: file, kind, max relative errors of outputs and gradients, status, reason. */
export function formatReport(report: FixtureReport): string {
  const columns = [
    report.file.padEnd(34), (report.kind ?? '?').padEnd(24),
    `out ${formatError(report.outputsMaxRelError)}`.padEnd(13), `grad ${formatError(report.gradientsMaxRelError)}`.padEnd(14),
    report.status.toUpperCase(),
  ];
  return `${columns.join(' ')}${report.reason ? `  (${report.reason})` : ''}`;
}

/** The closing line: `N passed, M failed, K skipped`. */
export function formatSummary({ passed, failed, skipped }: Summary): string {
  return `${passed} passed, ${failed} failed, ${skipped} skipped`;
}

/** 1 when any fixture failed, else 0. */
export function exitCode(reports: readonly FixtureReport[]): number {
  return reports.some((r) => r.status === 'failed') ? 1 : 0;
}
