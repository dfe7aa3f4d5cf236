// Sampling the next token from log-probabilities: temperature, top-k (Fan et al. 2018) and
// nucleus / top-p (Holtzman et al. 2020) filtering, then one draw from a seeded Generator by the
// inverse CDF (float64 on the host). Temperature 0 is greedy (argmax).
import { ConfigError, type Generator } from '@longshort/tensor';

export interface SamplingOptions {
  /** Divides the logits (default 1); 0 = greedy. */
  readonly temperature?: number;
  /** Keep only the k most likely tokens (default 0 = all). */
  readonly topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (default 1 = all). */
  readonly topP?: number;
}

/** Throws ConfigError for out-of-range sampling options. @example validateSampling({ topP: 0.9 }) */
export function validateSampling(options: SamplingOptions): void {
  const { temperature = 1, topK = 0, topP = 1 } = options;
  if (!(temperature >= 0 && Number.isFinite(temperature))) throw new ConfigError('sample', 'temperature', 'a finite number >= 0', String(temperature));
  if (!(Number.isInteger(topK) && topK >= 0)) throw new ConfigError('sample', 'topK', 'an integer >= 0 (0 = no limit)', String(topK));
  if (!(topP > 0 && topP <= 1)) throw new ConfigError('sample', 'topP', 'a number in (0, 1]', String(topP));
}

/**
 * The filtered, renormalised distribution sampleToken draws from (float64, one entry per id).
 * @example samplingDistribution(logProbs, { temperature: 0.8, topK: 40 })
 */
export function samplingDistribution(logProbs: ArrayLike<number>, options: SamplingOptions = {}): Float64Array {
  validateSampling(options);
  const { temperature = 1, topK = 0, topP = 1 } = options;
  const V = logProbs.length;
  const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => logProbs[b] - logProbs[a] || a - b);
  const probs = new Float64Array(V);
  if (temperature === 0) {
    probs[order[0]] = 1;
    return probs;
  }
  const top = logProbs[order[0]];
  for (let i = 0; i < V; i++) probs[i] = Math.exp((logProbs[i] - top) / temperature);
  let keep = topK > 0 ? Math.min(topK, V) : V;
  const total = order.slice(0, keep).reduce((s, i) => s + probs[i], 0);
  let cumulative = 0;
  for (let rank = 0; rank < keep; rank++) {
    cumulative += probs[order[rank]] / total;
    // NOTE: the token that crosses p is kept (Holtzman et al.), so at least one token always is.
    if (cumulative >= topP) {
      keep = rank + 1;
      break;
    }
  }
  for (let rank = keep; rank < V; rank++) probs[order[rank]] = 0;
  const kept = probs.reduce((s, p) => s + p, 0);
  for (let i = 0; i < V; i++) probs[i] /= kept;
  return probs;
}

/**
 * Draws one token id from `logProbs` after temperature / top-k / top-p, with `generator`.
 * @example const id = sampleToken(logProbs, { temperature: 0.8, topP: 0.95 }, new Generator(1));
 */
export function sampleToken(logProbs: ArrayLike<number>, options: SamplingOptions, generator: Generator): number {
  const probs = samplingDistribution(logProbs, options);
  const u = generator.uniform();
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] === 0) continue;
    cumulative += probs[i];
    last = i;
    if (u < cumulative) return i;
  }
  return last;
}
