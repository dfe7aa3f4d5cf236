// The autoregressive long-short character model (spec Part B.3–B.4; NVIDIA transformer-ls
// `autoregressive/model_lib/model.py`, TransformerLSModel): embeddings × √D, layers of causal
// long-short attention + feed-forward in the authors' "pre-LN" arrangement (residuals added to
// the NORMALISED stream), a tied output embedding with its own bias, and per-layer memories of
// the last memLen layer inputs carried from segment to segment.
import { CausalLongShortAttention } from '@longshort/attention';
import {
  Embedding, LayerNorm, Linear, Module, ModuleList, Parameter, add, concat, dropout, gelu, linear, logSoftmax, mul,
  pad, relu, slice, tidy, zeros, type Tensor,
} from '@longshort/tensor';
import { validateTransformerLSConfig, type TransformerLSConfig } from './config.js';
import { RelativeFullAttention } from './full-attention.js';

export class FeedForward extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(readonly config: TransformerLSConfig) {
    super();
    this.fc1 = new Linear(config.dModel, config.dInner);
    this.fc2 = new Linear(config.dInner, config.dModel);
  }

  forward(x: Tensor): Tensor {
    const hidden = this.fc1.forward(x);
    const activated = this.config.useGelu ? gelu(hidden) : relu(hidden);
    return this.fc2.forward(dropout(activated, this.config.dropout, { training: this.training }));
  }
}

export class TransformerLSLayer extends Module {
  /** Long-short attention, or full attention when config.attention is 'full' (the baseline). */
  readonly attn: CausalLongShortAttention | RelativeFullAttention;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly ff: FeedForward;

  constructor(readonly config: TransformerLSConfig) {
    super();
    this.attn = config.attention === 'full' ? new RelativeFullAttention({ dim: config.dModel, numHeads: config.nHead, bias: config.useBias }) : new CausalLongShortAttention({
      dim: config.dModel, numHeads: config.nHead, chunkSize: config.chunkSize, chunkRank: config.chunkRank,
      windowLen: config.windowLen, bias: config.useBias, layerNormEps: config.layerNormEps,
    });
    this.norm1 = new LayerNorm(config.dModel, { eps: config.layerNormEps });
    this.norm2 = new LayerNorm(config.dModel, { eps: config.layerNormEps });
    this.ff = new FeedForward(config);
  }

  /** h: (B, M, D) layer input; memory: (B, L, D) un-normalised earlier inputs. */
  forward(h: Tensor, memory: Tensor): Tensor {
    const drop = (t: Tensor) => dropout(t, this.config.dropout, { training: this.training });
    if (this.config.preLn) {
      // NOTE: not textbook pre-LN: the residual is the normalised input (spec B.4).
      const x1 = this.norm1.forward(h);
      const y = add(x1, drop(this.attn.forward(x1, this.norm1.forward(memory))));
      const y1 = this.norm2.forward(y);
      return add(y1, drop(this.ff.forward(y1)));
    }
    const y = this.norm1.forward(add(h, drop(this.attn.forward(h, memory))));
    return this.norm2.forward(add(y, drop(this.ff.forward(y))));
  }
}

/** The output layer: weight tied to the input embedding, its own bias (spec B.3 step 6). */
export class TiedOutput extends Module {
  readonly bias: Parameter;

  constructor(readonly weight: Parameter, vocabSize: number) {
    super();
    this.bias = new Parameter(zeros([vocabSize]));
  }

  forward(h: Tensor): Tensor {
    return linear(h, this.weight, this.bias);
  }
}

export interface ForwardResult {
  /** (B, T, V) log-probabilities of the next token. */
  logProbs: Tensor;
  /** Per layer (B, L, D): the memories for the next segment (detached). */
  memories: Tensor[];
}

/** Greatest common divisor (for the lcm(chunkSize, windowLen) padding period). @example gcd(16, 24) // 8 */
export function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export class TransformerLSModel extends Module {
  readonly in_emb: Embedding;
  readonly out_emb: TiedOutput;
  readonly layers: ModuleList<TransformerLSLayer>;
  readonly config: TransformerLSConfig;

  constructor(config: TransformerLSConfig) {
    super();
    validateTransformerLSConfig(config);
    this.config = config;
    this.in_emb = new Embedding(config.vocabSize, config.dModel);
    this.out_emb = new TiedOutput(this.in_emb.weight, config.vocabSize);
    this.layers = new ModuleList(Array.from({ length: config.nLayer }, () => new TransformerLSLayer(config)));
  }

  /** Zero memories for the start of a stream: (B, L, D) per layer (attended to, spec E.7). */
  initialMemories(batch: number): Tensor[] {
    return this.layers.modules.map(() => zeros([batch, this.config.memLen, this.config.dModel], 'f32', this.in_emb.weight.backend));
  }

  /**
   * tokens: (B, T) i32; memories: per layer (B, L, D). A T not divisible by chunkSize is padded
   * with token 0 to a multiple of lcm(chunkSize, windowLen) (spec B.3 step 1); outputs are cut back
   * to T, but the memories handed on contain the padded positions, as in the authors' code.
   */
  forward(tokens: Tensor, memories: Tensor[]): ForwardResult {
    const { chunkSize: l, windowLen: W, dModel: D } = this.config;
    return tidy(() => {
      const [, T] = tokens.shape;
      const period = (l * W) / gcd(l, W);
      const padded = T % l === 0 ? tokens : pad(tokens, [[0, period - (T % period)]]);
      const M = padded.shape[1];
      let h = dropout(mul(this.in_emb.forward(padded), Math.sqrt(D)), this.config.dropout, { training: this.training }); // (B, M, D)
      const next: Tensor[] = [];
      this.layers.modules.forEach((layer, i) => {
        // The memory for the next segment: the last L rows of [memory; layer input].
        const joined = concat([memories[i], h], 1); // (B, L + M, D)
        next.push(slice(joined, [0, M]).detach()); // (B, L, D)
        h = layer.forward(h, memories[i]);
      });
      const logProbs = logSoftmax(this.out_emb.forward(slice(h, [0, 0], [h.shape[0], T])), -1); // (B, T, V)
      return { logProbs, memories: next };
    });
  }
}
