// The bench command line: `pnpm bench <suite> [--json <file>] [--quick] [--libs a,b]`.
// Runs a suite (matmul: longshort's CPU backend and its peers; webgpu: matmul, softmax and layerNorm
// on WebGPU against tfjs-webgpu and jax-js; attention: long-short vs full attention; lm: the
// language model's training, generation and BPC) in this process, prints tables, and writes the
// JSON report (machine, commit, results) when --json is given, with the suite's charts next to it
// (attention: <file>.time.svg, <file>.memory.svg; lm: <file>.generation.svg, <file>.bpc.svg).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { MatmulLibrary, OpLibrary } from './library.js';
import { createLongshortCpu, createLongshortWebGPU } from './longshort.js';
import type { Budget } from './measure.js';
import { loadJaxWasm, loadJaxWebGPU } from './peers/jax.js';
import { loadTfjsCpu, loadTfjsWasm, loadTfjsWebGPU } from './peers/tfjs.js';
import { loadTorchCpu } from './peers/torch.js';
import { installWebGPU } from './webgpu-setup.js';
import { chartsSvg } from './plot.js';
import { currentCommit, formatTable, machineInfo, type BenchReport, type LibraryInfo } from './report.js';
import { attentionCharts, attentionConfigs, attentionFailed, attentionScales, formatAttentionTable, runAttentionSuite } from './suites/attention.bench.js';
import { formatLmTable, lmCharts, lmFailed, lmScales, runLmSuite } from './suites/lm.bench.js';
import { matmulCases, quickMatmulCases, runMatmulSuite } from './suites/matmul.bench.js';
import { quickWebgpuCases, runWebgpuSuite, webgpuCases } from './suites/webgpu.bench.js';

const usage = [
  'usage: pnpm bench matmul [--json <file>] [--quick] [--libs longshort-cpu,longshort-cpu-1t,tfjs-cpu,tfjs-wasm,jax-wasm,torch-cpu,torch-cpu-1t]',
  '       pnpm bench webgpu [--json <file>] [--quick] [--allow-software]',
  '       pnpm bench attention [--json <file>] [--quick]',
  '       pnpm bench lm [--json <file>] [--quick]',
].join('\n');

const peerLoaders: Record<string, () => Promise<MatmulLibrary>> = {
  'longshort-cpu-1t': async () => createLongshortCpu({ threads: 1 }),
  'tfjs-cpu': loadTfjsCpu,
  'tfjs-wasm': loadTfjsWasm,
  'jax-wasm': loadJaxWasm,
  'torch-cpu': () => loadTorchCpu(),
  'torch-cpu-1t': () => loadTorchCpu(1),
};
const ours = 'longshort-cpu';
/** Our single-thread variant: each case also gets ratios against it (equal thread counts). */
const oursSingleThread = 'longshort-cpu-1t';

/** The WebGPU suite's peers, loaded after Dawn is installed as `navigator.gpu`. */
const webgpuPeerLoaders: Record<string, () => Promise<OpLibrary>> = { 'tfjs-webgpu': loadTfjsWebGPU, 'jax-webgpu': loadJaxWebGPU };

const quickBudget: Budget = { warmupRuns: 1, minRuns: 3, minTimeMs: 0, maxRuns: 3, slowRunMs: Infinity };
const budgets: Record<'matmul' | 'webgpu' | 'attention' | 'lm', Record<'full' | 'quick', Budget>> = {
  matmul: { full: { warmupRuns: 1, minRuns: 3, minTimeMs: 1000, maxRuns: 50, slowRunMs: 10_000 }, quick: quickBudget },
  webgpu: { full: { warmupRuns: 2, minRuns: 5, minTimeMs: 1000, maxRuns: 50, slowRunMs: 10_000 }, quick: quickBudget },
  // NOTE: attention runs take seconds at the larger n; a first run of 2 s or more is warm enough.
  attention: { full: { warmupRuns: 1, minRuns: 3, minTimeMs: 1000, maxRuns: 20, slowRunMs: 2000 }, quick: quickBudget },
  // NOTE: counts both training steps and decoder pushes; 1 + 2 + 60 pushes stay within a decoder's first segment of 128.
  lm: { full: { warmupRuns: 2, minRuns: 5, minTimeMs: 10_000, maxRuns: 60, slowRunMs: Infinity }, quick: quickBudget },
};

interface BenchArgs {
  suite: string;
  json: string | null;
  quick: boolean;
  libraries: string[];
  /** webgpu: run on a software adapter (SwiftShader) when there is no GPU; its timings carry no target. */
  allowSoftware: boolean;
}

function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { suite: '', json: null, quick: false, libraries: [], allowSoftware: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    if (arg === '--quick') args.quick = true;
    else if (arg === '--allow-software') args.allowSoftware = true;
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
  if (args.allowSoftware && args.suite !== 'webgpu') throw new Error('--allow-software applies to the webgpu suite only.');
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

/** Loads each library in turn; one that fails is recorded as unavailable, with the reason, and the rest still run. */
async function loadLibraries<L extends { info: LibraryInfo }>(loaders: readonly (readonly [string, () => Promise<L>])[], log: Log):
  Promise<{ libraries: L[]; libraryInfo: BenchReport['libraries'] }> {
  const libraries: L[] = [];
  const libraryInfo: BenchReport['libraries'] = {};
  for (const [name, load] of loaders) {
    try {
      const library = await load();
      libraries.push(library);
      libraryInfo[name] = library.info;
    } catch (error) {
      libraryInfo[name] = { unavailable: (error as Error).message };
      log(`${name} unavailable: ${(error as Error).message}`);
    }
  }
  return { libraries, libraryInfo };
}

async function matmulSuite(args: BenchArgs, log: Log): Promise<SuiteOutput> {
  const loaders = args.libraries.map((name) => [name, name === ours ? async () => createLongshortCpu() : peerLoaders[name]] as const);
  const { libraries, libraryInfo } = await loadLibraries<MatmulLibrary>(loaders, log);
  const single = libraries.some((l) => l.name === oursSingleThread) ? oursSingleThread : undefined;
  const cases = await runMatmulSuite({
    libraries, cases: args.quick ? quickMatmulCases : matmulCases, budget: budgets.matmul[args.quick ? 'quick' : 'full'], log, singleThreadReference: single,
  });
  const report: BenchReport = {
    suite: args.suite,
    timestamp: new Date().toISOString(),
    commit: currentCommit(),
    machine: machineInfo(),
    reference_library: libraries[0]?.name ?? ours,
    ...(single ? { single_thread_reference: single } : {}),
    ratio_definition: `gflops(${libraries[0]?.name ?? ours}) / gflops(peer): above 1 means ${libraries[0]?.name ?? ours} is faster`,
    libraries: libraryInfo,
    cases,
  };
  const failed = cases.some((c) => Object.values(c.results).some((r) => 'error' in r));
  return { report, table: formatTable(report), failed, attachments: {} };
}

async function webgpuSuite(args: BenchArgs, log: Log): Promise<SuiteOutput> {
  const adapter = await installWebGPU({ software: args.allowSoftware });
  const { createWebGPUBackend } = await import('@longshort/webgpu');
  const backend = await createWebGPUBackend();
  const software = backend.webgpu.isSoftware;
  if (software && !args.allowSoftware) {
    backend.dispose();
    throw new Error(`the adapter '${adapter.description || adapter.device}' is a software one; its timings mean little. Pass --allow-software to run anyway.`);
  }
  const ourLibrary = createLongshortWebGPU(backend);
  const { libraries, libraryInfo } = await loadLibraries<OpLibrary>([[ourLibrary.name, async () => ourLibrary], ...Object.entries(webgpuPeerLoaders)], log);
  try {
    const cases = await runWebgpuSuite({ libraries, cases: args.quick ? quickWebgpuCases : webgpuCases({ software }), budget: budgets.webgpu[args.quick ? 'quick' : 'full'], log });
    const report = {
      suite: args.suite,
      timestamp: new Date().toISOString(),
      commit: currentCommit(),
      machine: machineInfo(),
      adapter: { ...adapter, software },
      ...(software ? { note: 'software adapter (a CPU rasterizer): these timings carry no target' } : {}),
      reference_library: libraries[0].name,
      ratio_definition: `gflops (matmul) or gbps (softmax, layerNorm) of ${libraries[0].name} / the peer's: above 1 means ${libraries[0].name} is faster`,
      libraries: libraryInfo,
      cases,
    } satisfies BenchReport & { adapter: object; note?: string };
    const failed = cases.some((c) => Object.values(c.results).some((r) => 'error' in r));
    return { report, table: formatTable(report), failed, attachments: {} };
  } finally {
    backend.dispose();
  }
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

async function lmSuite(args: BenchArgs, log: Log): Promise<SuiteOutput> {
  const report = await runLmSuite({ scale: lmScales[args.quick ? 'quick' : 'full'], budget: budgets.lm[args.quick ? 'quick' : 'full'], log });
  const charts = lmCharts(report);
  return {
    report, table: formatLmTable(report), failed: lmFailed(report),
    attachments: { '.generation.svg': chartsSvg(charts.generation), '.bpc.svg': chartsSvg(charts.bpc) },
  };
}

const suites: Record<string, (args: BenchArgs, log: Log) => Promise<SuiteOutput>> = { matmul: matmulSuite, webgpu: webgpuSuite, attention: attentionSuite, lm: lmSuite };

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
