// `pnpm conformance [dir] [--backend cpu|webgpu] [--json <file>] [--manifest <file>]`: runs the
// reference fixtures (default fixtures/reference) through the packages' fixture handlers, prints
// one line per fixture and `N passed, M failed, K skipped`; exit 1 on any failure, 2 on bad usage.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createCpuBackend, setBackend, type Backend } from '@longshort/tensor';
import { defaultThresholds, exitCode, formatReport, formatSummary, listFixtures, parseManifest, runFixtures, summarize, type Manifest } from './runner.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const usage = 'usage: pnpm conformance [dir] [--backend cpu|webgpu] [--json <file>] [--manifest <file>]';

interface CliArgs {
  dir: string;
  backend: 'cpu' | 'webgpu';
  json: string | null;
  manifest: string;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[], cwd: string): CliArgs {
  const args: CliArgs = { dir: join(repoRoot, 'fixtures', 'reference'), backend: 'cpu', json: null, manifest: join(import.meta.dirname, 'manifest.json') };
  let dirGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    if (arg === '--backend' || arg === '--json' || arg === '--manifest') {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value.`);
      if (arg === '--backend') {
        if (value !== 'cpu' && value !== 'webgpu') throw new UsageError(`--backend must be cpu or webgpu, got '${value}'.`);
        args.backend = value;
      } else if (arg === '--json') args.json = resolve(cwd, value);
      else args.manifest = resolve(cwd, value);
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}.`);
    else if (!dirGiven) {
      args.dir = resolve(cwd, arg);
      dirGiven = true;
    } else throw new UsageError(`unexpected argument ${arg}.`);
  }
  return args;
}

/** The chosen backend; WebGPU comes from @longshort/webgpu, loaded only when asked for. */
async function createBackend(kind: CliArgs['backend']): Promise<Backend> {
  if (kind === 'cpu') return createCpuBackend();
  const specifier = '@longshort/webgpu';
  let module: { createWebGPUBackend?: () => Promise<Backend> };
  try {
    module = (await import(specifier)) as typeof module;
  } catch (error) {
    throw new UsageError(`the webgpu backend is unavailable: cannot load ${specifier}: ${(error as Error).message}`);
  }
  if (typeof module.createWebGPUBackend !== 'function') throw new UsageError(`the webgpu backend is unavailable: ${specifier} does not export createWebGPUBackend().`);
  try {
    return await module.createWebGPUBackend();
  } catch (error) {
    throw new UsageError(`the webgpu backend is unavailable: createWebGPUBackend() failed: ${(error as Error).message}`);
  }
}

function loadManifest(file: string): Manifest {
  try {
    return parseManifest(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    throw new UsageError(`bad manifest ${file}: ${(error as Error).message}`);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  // NOTE: pnpm runs root scripts in the repository root; INIT_CWD is where the user typed the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  let args: CliArgs;
  let manifest: Manifest;
  let backend: Backend;
  try {
    args = parseArgs(argv, cwd);
    if (!statSync(args.dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`no such directory: ${args.dir}`);
    if (listFixtures(args.dir).length === 0) throw new UsageError(`no *.safetensors fixtures in ${args.dir}`);
    manifest = loadManifest(args.manifest);
    backend = await createBackend(args.backend);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`conformance: ${error.message}\n${usage}`);
    return 2;
  }
  setBackend(backend);
  console.log(`conformance: ${args.dir} on ${backend.name} (outputs < ${defaultThresholds.outputs}, gradients < ${defaultThresholds.gradients}; required: ${manifest.required.join(', ') || 'none'})`);
  const reports = await runFixtures({ dir: args.dir, manifest, backend, onReport: (report) => console.log(formatReport(report)) });
  const summary = summarize(reports);
  if (args.json) {
    mkdirSync(dirname(args.json), { recursive: true });
    const json = { dir: args.dir, backend: backend.name, thresholds: defaultThresholds, required: manifest.required, summary, fixtures: reports };
    writeFileSync(args.json, `${JSON.stringify(json, null, 2)}\n`);
  }
  console.log(formatSummary(summary));
  return exitCode(reports);
}

process.exitCode = await main(process.argv.slice(2));
