// The bench command line: `pnpm bench <suite> [--json <file>] [--quick] [--libs a,b]`.
// Runs a suite (matmul: longshort and its peers; attention: long-short vs full attention) in this
// process, prints tables, and writes the JSON report (machine, commit, results) when --json is
// given, with the suite's charts next to it (<file>.time.svg, <file>.memory.svg).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { MatmulLibrary } from './library.js';
import { createLongshortCpu } from './longshort.js';
import type { Budget } from './measure.js';
import { loadJaxWasm } from './peers/jax.js';
import { loadTfjsCpu, loadTfjsWasm } from './peers/tfjs.js';
import { chartsSvg } from './plot.js';
import { currentCommit, formatTable, machineInfo, type BenchReport } from './report.js';
import { attentionCharts, attentionConfigs, attentionFailed, attentionScales, formatAttentionTable, runAttentionSuite } from './suites/attention.bench.js';
import { matmulCases, quickMatmulCases, runMatmulSuite } from './suites/matmul.bench.js';

const usage = [
  'usage: pnpm bench matmul [--json <file>] [--quick] [--libs longshort-cpu,tfjs-cpu,tfjs-wasm,jax-wasm]',
  '       pnpm bench attention [--json <file>] [--quick]',
].join('\n');

const peerLoaders: Record<string, () => Promise<MatmulLibrary>> = {
  'tfjs-cpu': loadTfjsCpu,
  'tfjs-wasm': loadTfjsWasm,
  'jax-wasm': loadJaxWasm,
};
const ours = 'longshort-cpu';

const quickBudget: Budget = { warmupRuns: 1, minRuns: 3, minTimeMs: 0, maxRuns: 3, slowRunMs: Infinity };
const budgets: Record<'matmul' | 'attention', Record<'full' | 'quick', Budget>> = {
  matmul: { full: { warmupRuns: 1, minRuns: 3, minTimeMs: 1000, maxRuns: 50, slowRunMs: 10_000 }, quick: quickBudget },
  // NOTE: attention runs take seconds at the larger n; a first run of 2 s or more is warm enough.
  attention: { full: { warmupRuns: 1, minRuns: 3, minTimeMs: 1000, maxRuns: 20, slowRunMs: 2000 }, quick: quickBudget },
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
  if (!(args.suite in suites)) throw new Error(`unknown suite '${args.suite}'; expected ${Object.keys(suites).join(' or ')}.`);
  if (args.suite !== 'matmul') {
    if (args.libraries.length > 0) throw new Error('--libs applies to the matmul suite only.');
    return args;
  }
  if (args.libraries.length === 0) args.libraries = args.quick ? [ours] : [ours, ...Object.keys(peerLoaders)];
  for (const name of args.libraries) {
    if (name !== ours && !(name in peerLoaders)) throw new Error(`unknown library '${name}'; expected one of ${[ours, ...Object.keys(peerLoaders)].join(', ')}.`);
  }
  return args;
}

/** What a suite hands back: the JSON report, its tables, whether anything failed, files to write next to the JSON. */
interface SuiteOutput {
  report: object;
  table: string;
  failed: boolean;
  /** File-name suffix (replacing `.json`) → contents. */
  attachments: Record<string, string>;
}

type Log = (message: string) => void;

async function matmulSuite(args: BenchArgs, log: Log): Promise<SuiteOutput> {
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
  const cases = await runMatmulSuite({ libraries, cases: args.quick ? quickMatmulCases : matmulCases, budget: budgets.matmul[args.quick ? 'quick' : 'full'], log });
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
  const failed = cases.some((c) => Object.values(c.results).some((r) => 'error' in r));
  return { report, table: formatTable(report), failed, attachments: {} };
}

async function attentionSuite(args: BenchArgs, log: Log): Promise<SuiteOutput> {
  const scale = attentionScales[args.quick ? 'quick' : 'full'];
  const report = await runAttentionSuite({ configs: attentionConfigs, scale, budget: budgets.attention[args.quick ? 'quick' : 'full'], log });
  const charts = attentionCharts(report);
  return {
    report, table: formatAttentionTable(report), failed: attentionFailed(report),
    attachments: { '.time.svg': chartsSvg(charts.time), '.memory.svg': chartsSvg(charts.memory) },
  };
}

const suites: Record<string, (args: BenchArgs, log: Log) => Promise<SuiteOutput>> = { matmul: matmulSuite, attention: attentionSuite };

async function main(argv: readonly string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    console.error(`bench: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  const log: Log = (message) => console.error(`bench: ${message}`);
  const output = await suites[args.suite](args, log);
  console.log(output.table);
  if (args.json) {
    // NOTE: `pnpm bench` runs in apps/bench; a relative path is meant from where pnpm was started.
    const file = resolve(process.env.INIT_CWD ?? process.cwd(), args.json);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(output.report, null, 2)}\n`);
    log(`wrote ${file}`);
    for (const [suffix, contents] of Object.entries(output.attachments)) {
      const attachment = file.replace(/\.json$/, '') + suffix;
      writeFileSync(attachment, contents);
      log(`wrote ${attachment}`);
    }
  }
  return output.failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
