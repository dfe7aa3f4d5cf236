// Padding helpers: any sequence length can be used with a segment/window size by padding the
// sequence to a multiple of it and masking the padding (the model's outputs at real tokens do
// not depend on padded values: spec A.6).
import { ConfigError, concat, ones, pad, slice, tidy, zeros, type Tensor } from '@longshort/tensor';

export interface PaddedSequence {
  /** (B, n', D) with n' the next multiple. */
  x: Tensor;
  /** (B, n') float mask, 1 = real token. */
  mask: Tensor;
  /** The original length n (use unpadSequence to cut outputs back). */
  length: number;
}

/**
 * Pads x (B, n, D) with zero tokens to a multiple of `multiple` and extends the mask (default: all real).
 * @example const { x: xp, mask } = padSequence(x, 8); const y = unpadSequence(attn.forward(xp, mask), x.shape[1]);
 */
export function padSequence(x: Tensor, multiple: number, mask?: Tensor): PaddedSequence {
  if (!Number.isInteger(multiple) || multiple <= 0) throw new ConfigError('padSequence', 'multiple', 'a positive integer', String(multiple));
  return tidy(() => {
    const [B, n] = x.shape;
    const extra = (multiple - (n % multiple)) % multiple;
    const baseMask = mask ?? ones([B, n], 'f32', x.backend);
    return {
      x: pad(x, [[0, extra], [0, 0]]),
      mask: extra ? concat([baseMask, zeros([B, extra], baseMask.dtype, x.backend)], 1) : baseMask.detach(),
      length: n,
    };
  });
}

/** Cuts (B, n', ...) back to the first `length` positions. */
export function unpadSequence(y: Tensor, length: number): Tensor {
  return slice(y, [0, 0], [y.shape[0], length]);
}
