// The training/evaluation loss: mean negative log-likelihood (nats) of the targets under the
// model's log-probabilities (spec B.8; BPC = loss / ln 2).
import { gather, mean, neg, reshape, tidy, type Tensor } from '@longshort/tensor';

/** logProbs (B, T, V), targets (B, T) i32 → scalar mean NLL in nats. */
export function segmentLoss(logProbs: Tensor, targets: Tensor): Tensor {
  return tidy(() => {
    const [B, T] = targets.shape;
    const picked = gather(logProbs, 2, reshape(targets, [B, T, 1])); // (B, T, 1)
    return neg(mean(picked));
  });
}
