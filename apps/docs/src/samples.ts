// Extracts the TypeScript samples of a Markdown guide, and the values each one promises to print
// (`console.log(expr); // → value`), so that guides.test.ts can run them and check the output.

/** One ```ts block of a guide. */
export interface Sample {
  /** 1-based line of the opening fence in the Markdown file. */
  readonly line: number;
  readonly code: string;
  /** The text after `// →` on each `console.log` line, in order. */
  readonly expected: readonly string[];
}

const fence = /^```(\w*)\s*$/;
const promise = /^\s*console\.log\(.*\);\s*\/\/ → (.+)$/;

/**
 * The ```ts (or ```typescript) blocks of `markdown`, in order.
 * @example extractSamples('```ts\nconsole.log(1); // → 1\n```') // [{ line: 1, code: 'console.log(1); // → 1', expected: ['1'] }]
 */
export function extractSamples(markdown: string): Sample[] {
  const samples: Sample[] = [];
  let open: { line: number; lang: string; lines: string[] } | null = null;
  markdown.split('\n').forEach((text, index) => {
    const match = fence.exec(text);
    if (!open) {
      if (match) open = { line: index + 1, lang: match[1], lines: [] };
      return;
    }
    if (match && match[1] === '') {
      if (open.lang === 'ts' || open.lang === 'typescript') {
        const expected = open.lines.map((l) => promise.exec(l)?.[1].trim()).filter((e): e is string => e !== undefined);
        samples.push({ line: open.line, code: open.lines.join('\n'), expected });
      }
      open = null;
      return;
    }
    open.lines.push(text);
  });
  if (open) throw new Error(`unclosed code fence opened at line ${(open as { line: number }).line}`);
  return samples;
}

/**
 * How a logged value is written after `// →`: strings as JSON strings, numbers rounded to 6
 * significant digits (float32 noise), everything else as JSON; whitespace is not significant.
 * @example formatLogged([0.10000000149011612, 2]) // '[0.1,2]'
 */
export function formatLogged(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Number(v.toPrecision(6)) : v));
}

/** Whether `actual` (a logged value) matches the promised text. @example matchesPromise(2, ' 2 ') // true */
export function matchesPromise(actual: unknown, expected: string): boolean {
  return formatLogged(actual).replace(/\s+/g, '') === expected.replace(/\s+/g, '');
}
