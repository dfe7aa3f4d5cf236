// Mapping between the authors' state-dict names (spec B.9: `in_emb.weight`, `out_emb.weight` tied
// to it, `out_emb.bias`, `pos_emb.inv_freq`, `layers.{l}.…`) and this model's. The names are the
// same by construction; the only difference is the `pos_emb.inv_freq` buffer, which this model
// recomputes (it is checked on load and written on save).
import { ConfigError, fromArray, type Tensor } from '@longshort/tensor';

const INV_FREQ = 'pos_emb.inv_freq';

/** The authors' sinusoid frequencies 1/10000^(2k/D). */
export function inverseFrequencies(dModel: number): Float32Array {
  return Float32Array.from({ length: dModel / 2 }, (_, k) => 1 / Math.pow(10000, (2 * k) / dModel));
}

/**
 * Drops the recomputable `pos_emb.inv_freq` buffer from an authors' state dict after checking it
 * (a mismatch means the checkpoint was made with another width), and a fairseq `decoder.model.` prefix.
 */
export function fromAuthorsStateDict(dict: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [key, value] of dict) {
    const name = key.startsWith('decoder.model.') ? key.slice('decoder.model.'.length) : key;
    if (name === INV_FREQ) {
      const expected = inverseFrequencies(value.size * 2);
      const actual = value.dataSync?.() as Float32Array | undefined;
      if (actual && actual.some((v, i) => Math.abs(v - expected[i]) > 1e-6 * Math.max(1, expected[i]))) {
        throw new ConfigError('TransformerLSModel weights', INV_FREQ, 'the standard sinusoid frequencies 1/10000^(2k/D)', 'different values');
      }
      continue;
    }
    out.set(name, value);
  }
  return out;
}

/** Our state dict in the authors' layout (adds `pos_emb.inv_freq`), e.g. for torch.load. */
export function toAuthorsStateDict(dict: ReadonlyMap<string, Tensor>, dModel: number): Map<string, Tensor> {
  const out = new Map(dict);
  const first = dict.values().next().value as Tensor | undefined;
  out.set(INV_FREQ, fromArray(inverseFrequencies(dModel), [dModel / 2], 'f32', first?.backend));
  return out;
}
