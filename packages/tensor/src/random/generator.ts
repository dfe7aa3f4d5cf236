// Seeded pseudo-random generator: xoshiro128** (Blackman & Vigna, 2018) on four uint32 words,
// seeded through splitmix32, with Box–Muller normals. Its whole state (including the cached
// second normal) is a plain JSON object, so a training run can save and restore it exactly,
// as torch.Generator.get_state / set_state do.
import { ConfigError } from '../errors/index.js';

/** The complete state of a Generator: plain, JSON-serialisable, restored exactly by setState(). */
export interface GeneratorState {
  readonly algorithm: 'xoshiro128**';
  /** The four uint32 words of xoshiro128** (never all zero). */
  readonly words: readonly [number, number, number, number];
  /** The second value of the last Box–Muller pair, not yet returned by normal(). */
  readonly cachedNormal: number | null;
}

const TWO_POW_32 = 2 ** 32;

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

/** One splitmix32 step: the next counter and its mixed output (used only for seeding). */
function splitmix32(counter: number): [number, number] {
  const next = (counter + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

function assertSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new ConfigError('Generator', 'seed', 'a safe integer', String(seed));
}

/** The four state words for `seed`: splitmix32 over its low word, mixed with its high word. */
function wordsFromSeed(seed: number): [number, number, number, number] {
  let lo = seed >>> 0;
  let hi = Math.floor(seed / TWO_POW_32) >>> 0;
  const words: [number, number, number, number] = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) {
    let a: number;
    let b: number;
    [lo, a] = splitmix32(lo);
    [hi, b] = splitmix32(hi ^ 0x6a09e667);
    words[i] = (a ^ rotl(b, 13)) >>> 0;
  }
  // NOTE: the all-zero state is the one fixed point of xoshiro; splitmix makes it (nearly)
  // impossible, and this guard makes it impossible.
  if (words.every((w) => w === 0)) words[0] = 1;
  return words;
}

/**
 * A seeded random generator (xoshiro128**). Same seed, same sequence, on every platform.
 * @example
 * const g = new Generator(42);
 * const u = g.uniform(); // in [0, 1)
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private cachedNormal: number | null = null;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Resets this generator in place to the start of `seed`'s sequence. Returns this. @example g.manualSeed(7) */
  manualSeed(seed: number): this {
    assertSeed(seed);
    [this.s0, this.s1, this.s2, this.s3] = wordsFromSeed(seed);
    this.cachedNormal = null;
    return this;
  }

  /** A uniformly distributed 32-bit unsigned integer. @example g.nextUint32() */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /**
   * A uniform number in [0, 1) with 24 random bits.
   * NOTE: 24 bits (not 53) so that every value is exactly representable in float32 and never
   * rounds up to 1 there, as PyTorch does for float tensors.
   * @example g.uniform()
   */
  uniform(): number {
    return (this.nextUint32() >>> 8) / 2 ** 24;
  }

  /**
   * A standard normal number (Box–Muller). Each pair of uniforms gives two normals; the second is
   * cached and returned by the next call (it is part of getState()).
   * NOTE: with 24-bit uniforms the largest magnitude is √(2·ln 2²⁴) ≈ 5.77.
   * @example g.normal()
   */
  normal(): number {
    if (this.cachedNormal !== null) {
      const value = this.cachedNormal;
      this.cachedNormal = null;
      return value;
    }
    const u1 = 1 - this.uniform(); // in (0, 1]: log(u1) is finite
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.cachedNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** The complete state, as a plain object. @example const saved = g.getState() */
  getState(): GeneratorState {
    return { algorithm: 'xoshiro128**', words: [this.s0, this.s1, this.s2, this.s3], cachedNormal: this.cachedNormal };
  }

  /** Restores a state from getState() exactly: the same sequence follows. @example g.setState(saved) */
  setState(state: GeneratorState): void {
    const words: unknown = state?.words;
    const isWord = (w: unknown) => Number.isInteger(w) && (w as number) >= 0 && (w as number) < TWO_POW_32;
    if (state?.algorithm !== 'xoshiro128**' || !Array.isArray(words) || words.length !== 4 || !words.every(isWord) || words.every((w) => w === 0)) {
      throw new ConfigError('Generator', 'state', "{ algorithm: 'xoshiro128**', words: four uint32 not all zero, cachedNormal }", JSON.stringify(state));
    }
    if (state.cachedNormal !== null && !Number.isFinite(state.cachedNormal)) {
      throw new ConfigError('Generator', 'state.cachedNormal', 'a finite number or null', String(state.cachedNormal));
    }
    [this.s0, this.s1, this.s2, this.s3] = state.words;
    this.cachedNormal = state.cachedNormal;
  }

  /** An independent copy at the same point of the same sequence. @example const g2 = g.clone() */
  clone(): Generator {
    const copy = new Generator();
    copy.setState(this.getState());
    return copy;
  }

  /**
   * A new generator with its own stream, seeded from this one (this one advances by two draws).
   * Deterministic: the same parent state always forks the same child.
   * @example const dataGenerator = g.fork()
   */
  fork(): Generator {
    const seed = (this.nextUint32() & 0x1fffff) * TWO_POW_32 + this.nextUint32();
    return new Generator(seed);
  }
}

let defaultInstance: Generator | null = null;

/** The generator random ops use when none is given (created on first use with seed 0). @example defaultGenerator().uniform() */
export function defaultGenerator(): Generator {
  defaultInstance ??= new Generator(0);
  return defaultInstance;
}

/** Reseeds the default generator in place (torch.manual_seed). @example manualSeed(42) */
export function manualSeed(seed: number): Generator {
  return defaultGenerator().manualSeed(seed);
}
