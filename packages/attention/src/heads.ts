// Head split/merge (spec §0): a D-vector is cut into H contiguous slices of d = D/H channels.
import { permute, reshape, type Tensor } from '@longshort/tensor';

/**
 * (B, T, H·d) → (B, H, T, d).
 * @example splitHeads(x, 4) // (1, 8, 32) → (1, 4, 8, 8)
 */
export function splitHeads(x: Tensor, heads: number): Tensor {
  const [B, T, C] = x.shape;
  return permute(reshape(x, [B, T, heads, C / heads]), [0, 2, 1, 3]);
}

/**
 * (B, H, T, d) → (B, T, H·d).
 * @example mergeHeads(context) // (1, 4, 8, 8) → (1, 8, 32)
 */
export function mergeHeads(x: Tensor): Tensor {
  const [B, H, T, d] = x.shape;
  return reshape(permute(x, [0, 2, 1, 3]), [B, T, H * d]);
}
