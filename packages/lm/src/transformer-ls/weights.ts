// Mapping between the authors' state-dict names (spec B.9: `in_emb.weight`, `out_emb.weight` tied
// to it, `out_emb.bias`, `pos_emb.inv_freq`, `layers.{l}.…`) and this model's. The names are the
// same by construction; the only difference is the `pos_emb.inv_freq` buffer, which this model
// recomputes (it is checked on load and written on save), and the `decoder.model.` prefix of a
// fairseq checkpoint's `model` dict.
import { ConfigError, fromArray, type Tensor } from '@longshort/tensor';

/** The authors' sinusoid-frequency buffer, recomputed by this model. */
export const INV_FREQ = 'pos_emb.inv_freq';

const FAIRSEQ_PREFIX = 'decoder.model.';

/** The authors' sinusoid frequencies 1/10000^(2k/D). @example inverseFrequencies(4) // [1, 0.01] */
export function inverseFrequencies(dModel: number): Float32Array {
  return Float32Array.from({ length: dModel / 2 }, (_, k) => 1 / Math.pow(10000, (2 * k) / dModel));
}

/** A state-dict key without fairseq's `decoder.model.` prefix. @example authorsKey('decoder.model.in_emb.weight') // 'in_emb.weight' */
export function authorsKey(key: string): string {
  return key.startsWith(FAIRSEQ_PREFIX) ? key.slice(FAIRSEQ_PREFIX.length) : key;
}

/**
 * Throws ConfigError unless `values` are the standard frequencies of width 2·length (a mismatch
 * means the checkpoint was made with another positional encoding).
 * @example checkInverseFrequencies(inverseFrequencies(64))
 */
export function checkInverseFrequencies(values: Float32Array): void {
  const expected = inverseFrequencies(values.length * 2);
  // NOTE: relative 1e-2 admits fp16/bf16-stored buffers; another width or base is far off.
  if (values.some((v, i) => !(Math.abs(v - expected[i]) <= 1e-2 * expected[i]))) {
    throw new ConfigError('TransformerLSModel weights', INV_FREQ, 'the standard sinusoid frequencies 1/10000^(2k/D)', 'different values');
  }
}

/**
 * Drops the recomputable `pos_emb.inv_freq` buffer from an authors' state dict after checking it
 * (read asynchronously, so tensors may live on any backend), and a fairseq `decoder.model.` prefix.
 * @example model.loadStateDict(await fromAuthorsStateDict(dict))
 */
export async function fromAuthorsStateDict(dict: ReadonlyMap<string, Tensor>): Promise<Map<string, Tensor>> {
  const out = new Map<string, Tensor>();
  for (const [key, value] of dict) {
    const name = authorsKey(key);
    if (name === INV_FREQ) checkInverseFrequencies(Float32Array.from(await value.data()));
    else out.set(name, value);
  }
  return out;
}

/**
 * Our state dict in the authors' layout (adds `pos_emb.inv_freq`), e.g. for torch.load. The new
 * buffer is the caller's to dispose.
 * @example const dict = toAuthorsStateDict(model.stateDict(), model.config.dModel)
 */
export function toAuthorsStateDict(dict: ReadonlyMap<string, Tensor>, dModel: number): Map<string, Tensor> {
  const out = new Map(dict);
  const first = dict.values().next().value as Tensor | undefined;
  out.set(INV_FREQ, fromArray(inverseFrequencies(dModel), [dModel / 2], 'f32', first?.backend));
  return out;
}
