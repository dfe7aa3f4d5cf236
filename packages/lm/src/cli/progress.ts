// A one-line progress bar on stderr: bar, percentage, then fields (tokens/s, loss, BPC, ETA). On a
// terminal the line is redrawn in place at most every `intervalMs`; elsewhere (logs, CI) a plain
// line is written every `logEveryMs`.

export interface ProgressStream {
  write(text: string | Uint8Array): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressBarOptions {
  readonly stream?: ProgressStream;
  /** Minimum time between redraws on a terminal (default 100 ms). */
  readonly intervalMs?: number;
  /** Time between lines when not on a terminal (default 10 s). */
  readonly logEveryMs?: number;
  /** Draw nothing (default false). */
  readonly quiet?: boolean;
}

/**
 * Seconds as m:ss or h:mm:ss.
 * @example formatDuration(75) // '1:15'
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/**
 * A progress bar.
 * @example const bar = new ProgressBar('train'); bar.update(0.5, { 'tok/s': '812', loss: '1.93' }); bar.done();
 */
export class ProgressBar {
  readonly #stream: ProgressStream;
  readonly #interval: number;
  readonly #quiet: boolean;
  #last = -Infinity;
  #line = '';
  #shown = false;

  constructor(readonly label: string, options: ProgressBarOptions = {}) {
    this.#stream = options.stream ?? process.stderr;
    this.#quiet = options.quiet ?? false;
    this.#interval = this.#stream.isTTY ? options.intervalMs ?? 100 : options.logEveryMs ?? 10_000;
  }

  /** The line for `fraction` ∈ [0, 1] and the given fields. @example bar.format(0.25, { loss: '2.1' }) */
  format(fraction: number, fields: Readonly<Record<string, string>>): string {
    const width = 20;
    const clamped = Math.min(1, Math.max(0, fraction));
    const filled = Math.round(clamped * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const parts = Object.entries(fields).map(([k, v]) => `${k} ${v}`);
    return `${this.label} ${bar} ${(clamped * 100).toFixed(0).padStart(3)}% | ${parts.join(' | ')}`;
  }

  /** Redraws (throttled; `force` draws now). @example bar.update(p.fraction, { loss: p.loss.toFixed(3) }) */
  update(fraction: number, fields: Readonly<Record<string, string>>, force = false): void {
    this.#line = this.format(fraction, fields);
    this.#shown = false;
    const now = Date.now();
    if (this.#quiet || (!force && now - this.#last < this.#interval)) return;
    this.#last = now;
    this.#shown = true;
    if (this.#stream.isTTY) {
      const columns = this.#stream.columns ?? 120;
      this.#stream.write(`\r${this.#line.slice(0, columns - 1)}\x1b[K`);
    } else {
      this.#stream.write(`${this.#line}\n`);
    }
  }

  /** Draws the final state and ends the line. @example bar.done() */
  done(): void {
    if (this.#quiet || this.#line === '') return;
    if (this.#stream.isTTY) this.#stream.write(`\r${this.#line}\x1b[K\n`);
    else if (!this.#shown) this.#stream.write(`${this.#line}\n`);
  }
}
