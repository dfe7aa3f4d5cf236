// Peer: PyTorch on the CPU, when a Python with torch is installed (`/usr/bin/python3`, else
// `python3` on PATH). It runs in a child process that times itself under the suite's budget
// (the same warm-up and repetition rules as measure.ts) and returns its first product for
// validation and its run times as JSON; operands travel through temporary files.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SelfTimedMatmulLibrary } from '../library.js';
import type { Budget } from '../measure.js';

const pythons = ['/usr/bin/python3', 'python3'];

/** The child's program: argv = operands dir, batch, m, k, n, threads, budget JSON. */
const script = `
import json, sys, time, torch
folder, batch, m, k, n, threads = sys.argv[1], *map(int, sys.argv[2:7])
budget = json.loads(sys.argv[7])
slow_run_ms = float("inf") if budget["slowRunMs"] is None else budget["slowRunMs"]  # JSON has no Infinity
torch.set_num_threads(threads)
def load(name, count, shape):
    return torch.from_file(f"{folder}/{name}", shared=False, size=count, dtype=torch.float32).reshape(shape)
lead = [] if batch == 1 else [batch]
a = load("a.bin", batch * m * k, lead + [m, k])
b = load("b.bin", batch * k * n, lead + [k, n])
def timed():
    start = time.perf_counter()
    product = torch.matmul(a, b)
    return product, (time.perf_counter() - start) * 1000
def measure(warmup, min_runs, max_runs):
    for _ in range(warmup):
        timed()
    times = []
    while len(times) < max_runs and (len(times) < min_runs or sum(times) < budget["minTimeMs"]):
        times.append(timed()[1])
    return times
with torch.no_grad():
    product, first_ms = timed()
    product.contiguous().numpy().tofile(f"{folder}/y.bin")
    if first_ms < slow_run_ms:
        times = measure(budget["warmupRuns"], budget["minRuns"], budget["maxRuns"])
    else:
        times = [first_ms] + measure(0, budget["minRuns"] - 1, budget["maxRuns"] - 1)
print(json.dumps({"times_ms": times, "threads": torch.get_num_threads()}))
`;

/** The first Python that imports torch, with torch's version; null when none does. */
function findTorch(): { python: string; version: string } | null {
  for (const python of pythons) {
    try {
      const version = execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      return { python, version };
    } catch {
      // NOTE: absent or without torch: try the next one.
    }
  }
  return null;
}

/**
 * PyTorch's CPU matmul on `threads` threads (default: the available cores) as a self-timed
 * library; throws, saying PyTorch is absent, when no Python imports torch.
 * @example const library = await loadTorchCpu(1);
 */
export async function loadTorchCpu(threads = availableParallelism()): Promise<SelfTimedMatmulLibrary> {
  const found = findTorch();
  if (!found) throw new Error(`PyTorch absent: none of ${pythons.join(', ')} imports torch; expected one with torch installed.`);
  const { python, version } = found;
  return {
    name: threads === 1 ? 'torch-cpu-1t' : 'torch-cpu',
    info: { threads, version, notes: `${python}, torch.set_num_threads(${threads}), timed in a child process (torch.matmul, perf_counter)` },
    async measureSelf(operands, budget: Budget) {
      const folder = mkdtempSync(join(tmpdir(), 'bench-torch-'));
      try {
        writeFileSync(join(folder, 'a.bin'), operands.a);
        writeFileSync(join(folder, 'b.bin'), operands.b);
        const { batch, m, k, n } = operands;
        const { stdout } = await promisify(execFile)(python, ['-c', script, folder, ...[batch, m, k, n, threads].map(String), JSON.stringify(budget)],
          // NOTE: OpenBLAS sizes its own pool from these, not from torch.set_num_threads.
          { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) } });
        const reported = JSON.parse(stdout) as { times_ms: number[]; threads: number };
        if (reported.threads !== threads) throw new Error(`torch: expected ${threads} threads, got ${reported.threads}.`);
        const bytes = readFileSync(join(folder, 'y.bin'));
        const output = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice();
        return { output, timesMs: reported.times_ms };
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  };
}
