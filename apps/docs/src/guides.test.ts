// Runs every TypeScript sample of the guides in docs/ (each block is a module of its own, on
// package sources through the @longshort/source condition) and checks the values it promises to
// print with `// →`.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { extractSamples, formatLogged, matchesPromise } from './samples.js';

const root = join(import.meta.dirname, '..');
const docsDir = join(root, 'docs');
// Inside the package (not the OS temp dir) so that `@longshort/*` imports resolve from here.
const scratch = join(root, '.samples');

describe('extractSamples', () => {
  it('keeps only ts blocks, with their line and promised values', () => {
    const md = ['# t', '```sh', 'npm i x', '```', '```ts', 'const a = 1;', 'console.log(a); // → 1', '```', '```typescript', 'console.log("s"); // → "s"', '```'].join('\n');
    expect(extractSamples(md)).toEqual([
      { line: 5, code: 'const a = 1;\nconsole.log(a); // → 1', expected: ['1'] },
      { line: 9, code: 'console.log("s"); // → "s"', expected: ['"s"'] },
    ]);
  });

  it('rejects an unclosed fence', () => {
    expect(() => extractSamples('```ts\nconst a = 1;')).toThrow('unclosed code fence opened at line 1');
  });
});

describe('matchesPromise', () => {
  it('rounds float32 noise and ignores whitespace, but compares values', () => {
    expect(formatLogged([0.10000000149011612, 'f32'])).toBe('[0.1,"f32"]');
    expect(matchesPromise([[1, 2], [3, 4]], '[[1, 2], [3, 4]]')).toBe(true);
    expect(matchesPromise([1, 2], '[1, 3]')).toBe(false);
    expect(matchesPromise('3.00', '3.00')).toBe(false);
    expect(matchesPromise('3.00', '"3.00"')).toBe(true);
  });
});

const guides = readdirSync(docsDir)
  .filter((f) => f.endsWith('.md'))
  .map((guide) => ({ guide, samples: extractSamples(readFileSync(join(docsDir, guide), 'utf8')) }))
  .filter(({ samples }) => samples.length > 0);

it('finds the samples of getting-started.md', () => {
  expect(guides.map((g) => g.guide)).toContain('getting-started.md');
});

describe.each(guides)('docs/$guide', ({ guide, samples }) => {
  it.each(samples.map((s, i) => ({ ...s, i })))('sample at line $line runs and prints what it promises', async ({ code, expected, i }) => {
    mkdirSync(scratch, { recursive: true });
    const file = join(scratch, `${guide.replace(/\.md$/, '')}-${i}.ts`);
    writeFileSync(file, `${code}\n`);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import(/* @vite-ignore */ file);
      const printed = log.mock.calls.map((args) => args[0] as unknown);
      expect(printed.map(formatLogged)).toHaveLength(expected.length);
      printed.forEach((value, k) => {
        expect(matchesPromise(value, expected[k]), `console.log #${k + 1}: printed ${formatLogged(value)}, the guide says ${expected[k]}`).toBe(true);
      });
    } finally {
      log.mockRestore();
    }
  });
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));
