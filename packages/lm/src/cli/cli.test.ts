import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Generator } from '@longshort/tensor';
import { describe, expect, it } from 'vitest';
import { UsageError, formatHelp, parseFlags, type FlagSpecs } from './args.js';
import { main } from './main.js';
import { ProgressBar, formatDuration } from './progress.js';

/** A stream that records what is written (text and bytes). */
function recorder(isTTY = false) {
  const chunks: string[] = [];
  return {
    isTTY,
    columns: 200,
    write(text: string | Uint8Array) {
      chunks.push(typeof text === 'string' ? text : new TextDecoder().decode(text));
      return true;
    },
    get text() {
      return chunks.join('');
    },
  };
}

async function run(argv: string[]) {
  const stdout = recorder();
  const stderr = recorder();
  const code = await main(argv, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const tinyModel = ['--d-model', '8', '--d-inner', '16', '--heads', '2', '--layers', '1', '--mem-len', '8', '--chunk-size', '2', '--window', '4'];

describe('flags', () => {
  const specs: FlagSpecs = {
    steps: { type: 'int', min: 0, help: 'steps' },
    lr: { type: 'number', default: 0.1, help: 'rate' },
    mode: { type: 'string', choices: ['a', 'b'], default: 'a', help: 'mode' },
    quiet: { type: 'boolean', help: 'quiet' },
  };

  it('parses values, = forms, booleans and defaults', () => {
    expect(parseFlags('t', ['--steps', '3', '--lr=2e-3', '--quiet'], specs)).toEqual({ steps: 3, lr: 2e-3, mode: 'a', quiet: true });
    expect(parseFlags('t', ['--no-quiet', '--mode', 'b'], specs)).toEqual({ steps: undefined, lr: 0.1, mode: 'b', quiet: false });
    expect(formatHelp('t', 'Does t.', specs)).toMatch(/--mode <a\|b> +mode \(default "a"\)/);
  });

  it('rejects bad command lines with UsageError naming the flag', () => {
    expect(() => parseFlags('t', ['--steps', '1.5'], specs)).toThrow(/'--steps' is invalid; expected an integer, got "1.5"/);
    expect(() => parseFlags('t', ['--steps', '-1'], specs)).toThrow(/an integer >= 0/);
    expect(() => parseFlags('t', ['--lr', 'fast'], specs)).toThrow(/expected a number/);
    expect(() => parseFlags('t', ['--mode', 'c'], specs)).toThrow(/one of a, b/);
    expect(() => parseFlags('t', ['--steps'], specs)).toThrow(/expected a value/);
    expect(() => parseFlags('t', ['--nope'], specs)).toThrow(UsageError);
    expect(() => parseFlags('t', ['stray'], specs)).toThrow(/expected a --flag/);
  });
});

describe('progress bar', () => {
  it('redraws one line on a terminal and writes plain lines elsewhere', () => {
    const tty = recorder(true);
    const bar = new ProgressBar('train', { stream: tty, intervalMs: 0 });
    bar.update(0.5, { 'tok/s': '812', ETA: formatDuration(75) });
    bar.done();
    expect(tty.text).toContain('\rtrain ██████████░░░░░░░░░░  50% | tok/s 812 | ETA 1:15');
    expect(tty.text.endsWith('\n')).toBe(true);
    const log = recorder(false);
    const plain = new ProgressBar('eval', { stream: log, logEveryMs: 1e9 });
    plain.update(0.1, { bpc: '3' });
    plain.update(1, { bpc: '2' });
    plain.done();
    expect(log.text.split('\n').filter(Boolean)).toEqual(['eval ██░░░░░░░░░░░░░░░░░░  10% | bpc 3', 'eval ████████████████████ 100% | bpc 2']);
    expect(formatDuration(3725)).toBe('1:02:05');
  });
});

describe('longshort', () => {
  it('trains, checkpoints, evaluates, samples; then eval, generate and info read the checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lm-cli-'));
    const random = new Generator(1);
    const text = Array.from({ length: 600 }, () => 'abcde '[Math.floor(random.uniform() * 6)]).join('');
    await writeFile(join(dir, 'data.txt'), text);
    const data = ['--data', join(dir, 'data.txt')];
    const trained = await run(['train', ...data, ...tinyModel, '--batch', '2', '--segment', '8', '--steps', '3', '--checkpoint-dir', join(dir, 'ckpt'),
      '--eval-tokens', '20', '--sample', '12', '--prompt', 'ab', '--quiet']);
    expect(trained.stderr).toContain('vocabulary 6 bytes');
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/trained 3 steps \(48 tokens/);
    expect(trained.stdout).toMatch(/validation BPC \d\.\d{4} on the first 20 characters of the validation split/);
    expect(trained.stdout).toMatch(/checkpoint: .*step-0000003/);
    expect(trained.stdout).toMatch(/\nab[abcde ]{12}\n$/);

    const evaluated = await run(['eval', '--checkpoint', join(dir, 'ckpt'), ...data, '--split', 'test', '--quiet']);
    expect(evaluated.code).toBe(0);
    expect(evaluated.stdout).toMatch(/test BPC \d\.\d{4} over 29 characters/);

    const generated = await run(['generate', '--checkpoint', join(dir, 'ckpt'), '--prompt', 'a', '--length', '5', '--temperature', '0']);
    expect(generated.stdout).toMatch(/^a[abcde ]{5}\n$/);

    const info = await run(['info', '--checkpoint', join(dir, 'ckpt')]);
    expect(info.stdout).toContain('vocabSize     6');
    expect(info.stdout).toMatch(/parameters \d/);
    expect(info.stdout).toContain('training: step 3, 48 tokens');

    const resumed = await run(['train', ...data, '--resume', join(dir, 'ckpt'), '--steps', '1', '--checkpoint-dir', join(dir, 'ckpt'), '--quiet']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/trained 4 steps/);
    const misfit = await run(['train', ...data, '--resume', join(dir, 'ckpt'), '--d-model', '16', '--steps', '1', '--quiet']);
    expect(misfit.code).toBe(1);
    expect(misfit.stderr).toMatch(/ConfigError.*does not|the checkpoint's model config/);
  });

  it("evaluates and samples from an authors' fairseq checkpoint with its dictionary", async () => {
    const testData = (name: string) => fileURLToPath(new URL(`../../test-data/${name}`, import.meta.url));
    const dir = await mkdtemp(join(tmpdir(), 'lm-cli-authors-'));
    await writeFile(join(dir, 'data.txt'), 'the big brown cat sat on the mat, by the window. '.repeat(40)); // bytes of dict.txt only
    const model = ['--checkpoint', testData('causal-lm-small.fairseq.pt'), '--dict', testData('dict.txt')];
    const evaluated = await run(['eval', ...model, '--data', join(dir, 'data.txt'), '--split', 'test', '--segment', '16', '--quiet']);
    expect([evaluated.code, evaluated.stderr]).toEqual([0, '']);
    expect(evaluated.stdout).toMatch(/test BPC \d+\.\d{4} over 97 characters/); // the last 5% of 1,960, less the first byte
    const generated = await run(['generate', ...model, '--prompt', 'the ', '--length', '6', '--segment', '16', '--temperature', '0']);
    expect(generated.code).toBe(0);
    expect(generated.stdout).toMatch(/^the [^\n]{6}\n$/s);
    const misplaced = await run(['eval', '--checkpoint', dir, '--dict', testData('dict.txt')]);
    expect([misplaced.code, misplaced.stderr]).toEqual([2, expect.stringContaining('--dict')]);
  });

  it('prints presets and reports bad input with clear errors and exit codes', async () => {
    const info = await run(['info', '--preset', 'enwik8Base', '--vocab-size', '208']);
    expect(info.stdout).toContain('parameters 44,294,448');
    expect((await run([])).code).toBe(2);
    expect((await run(['--help'])).stdout).toContain('Commands:');
    expect((await run(['train', '--help'])).stdout).toContain('--checkpoint-dir <dir>');
    const unknown = await run(['fly']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining("expected one of train, eval, generate, info, got \"fly\"")]);
    const noBudget = await run(['train', '--quiet']);
    expect([noBudget.code, noBudget.stderr]).toEqual([2, expect.stringContaining('--steps')]);
    const missing = await run(['train', '--data', '/nonexistent/file.txt', '--steps', '1', '--quiet']);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining("DataError): data: '/nonexistent/file.txt' cannot be read")]);
    const noCheckpoint = await run(['eval', '--checkpoint', '/nonexistent']);
    expect([noCheckpoint.code, noCheckpoint.stderr]).toEqual([1, expect.stringContaining('is not a checkpoint')]);
    expect((await run(['generate'])).code).toBe(2);
  });
});
