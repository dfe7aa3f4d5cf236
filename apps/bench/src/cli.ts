// The bench command line: `pnpm bench <suite> [--json <file>] [--quick] [--libs a,b]`.
// Runs a suite for longshort and its peers in this process, prints a table, and writes the JSON
// report (machine, commit, per case per library timings and ratios) when --json is given.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { MatmulLibrary } from './library.js';
import { createLongshortCpu } from './longshort.js';
import type { Budget } from './measure.js';
import { loadJaxWasm } from './peers/jax.js';
import { loadTfjsCpu, loadTfjsWasm } from './peers/tfjs.js';
import { currentCommit, formatTable, machineInfo, type BenchReport } from './report.js';
import { matmulCases, quickMatmulCases, runMatmulSuite } from './suites/matmul.bench.js';

const usage = 'usage: pnpm bench matmul [--json <file>] [--quick] [--libs longshort-cpu,tfjs-cpu,tfjs-wasm,jax-wasm]';

const peerLoaders: Record<string, () => Promise<MatmulLibrary>> = {
  'tfjs-cpu': loadTfjsCpu,
  'tfjs-wasm': loadTfjsWasm,
  'jax-wasm': loadJaxWasm,
};
const ours = 'longshort-cpu';

const budgets: Record<'full' | 'quick', Budget> = {
  full: { warmupRuns: 1, minRuns: 3, minTimeMs: 1000, maxRuns: 50, slowRunMs: 10_000 },
  quick: { warmupRuns: 1, minRuns: 3, minTimeMs: 0, maxRuns: 3, slowRunMs: Infinity },
};

interface BenchArgs {
  suite: string;
  json: string | null;
  quick: boolean;
  libraries: string[];
}

function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { suite: '', json: null, quick: false, libraries: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    if (arg === '--quick') args.quick = true;
    else if (arg === '--json' || arg === '--libs') {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value.`);
      if (arg === '--json') args.json = value;
      else args.libraries = value.split(',').filter(Boolean);
    } else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}.`);
    else if (args.suite === '') args.suite = arg;
    else throw new Error(`unexpected argument ${arg}.`);
  }
  if (args.suite !== 'matmul') throw new Error(`unknown suite '${args.suite}'; expected matmul.`);
  if (args.libraries.length === 0) args.libraries = args.quick ? [ours] : [ours, ...Object.keys(peerLoaders)];
  for (const name of args.libraries) {
    if (name !== ours && !(name in peerLoaders)) throw new Error(`unknown library '${name}'; expected one of ${[ours, ...Object.keys(peerLoaders)].join(', ')}.`);
  }
  return args;
}

async function main(argv: readonly string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    console.error(`bench: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  const log = (message: string) => console.error(`bench: ${message}`);
  const libraries: MatmulLibrary[] = [];
  const libraryInfo: BenchReport['libraries'] = {};
  for (const name of args.libraries) {
    try {
      const library = name === ours ? createLongshortCpu() : await peerLoaders[name]();
      libraries.push(library);
      libraryInfo[name] = library.info;
    } catch (error) {
      libraryInfo[name] = { unavailable: (error as Error).message };
      log(`${name} unavailable: ${(error as Error).message}`);
    }
  }
  const cases = await runMatmulSuite({ libraries, cases: args.quick ? quickMatmulCases : matmulCases, budget: budgets[args.quick ? 'quick' : 'full'], log });
  const report: BenchReport = {
    suite: args.suite,
    timestamp: new Date().toISOString(),
    commit: currentCommit(),
    machine: machineInfo(),
    reference_library: libraries[0]?.name ?? ours,
    ratio_definition: `gflops(${libraries[0]?.name ?? ours}) / gflops(peer): above 1 means ${libraries[0]?.name ?? ours} is faster`,
    libraries: libraryInfo,
    cases,
  };
  console.log(formatTable(report));
  if (args.json) {
    // NOTE: `pnpm bench` runs in apps/bench; a relative path is meant from where pnpm was started.
    const file = resolve(process.env.INIT_CWD ?? process.cwd(), args.json);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${file}`);
  }
  const failed = cases.some((c) => Object.values(c.results).some((r) => 'error' in r));
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
