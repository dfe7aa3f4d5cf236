// Segment-wise sliding window (spec A.4, `get_tiles_v2`): the n positions are cut into G = n/w
// segments and every query of segment g sees the same w + 2e keys at positions g·w − e + t,
// t ∈ [0, w + 2e), with e = max(⌊w/2⌋, 1). Built from whole segments (pad + slice + concat of
// the neighbouring segments), never by gathering a window per query.
import { concat, pad, reshape, slice, type Tensor } from '@longshort/tensor';

/** One-sided window extension e = max(⌊w/2⌋, 1). */
export function windowExtension(w: number): number {
  return Math.max(Math.floor(w / 2), 1);
}

/**
 * Window blocks of `x` along `axis` (which has length G·w): `(..., n, ...rest)` →
 * `(..., G, w + 2e, ...rest)`; positions outside [0, n) are zero.
 */
export function windowBlocks(x: Tensor, axis: number, w: number): Tensor {
  const e = windowExtension(w);
  const n = x.shape[axis];
  const G = n / w;
  const rest = x.shape.slice(axis + 1);
  const lead = x.shape.slice(0, axis);
  const segments = reshape(x, [...lead, G, w, ...rest]); // (..., G, w, ...rest)
  const none = () => rest.map(() => [0, 0] as [number, number]);
  const starts = (segment: number, within: number) => [...lead.map(() => 0), segment, within];
  const ends = (segment: number, within: number) => [...lead, segment, within];
  // previous[g] = segment g − 1 (zeros for g = 0); next[g] = segment g + 1 (zeros for the last).
  const previous = slice(pad(segments, [[1, 0], [0, 0], ...none()]), starts(0, w - e), ends(G, w));
  const next = slice(pad(segments, [[0, 1], [0, 0], ...none()]), starts(1, 0), ends(G + 1, e));
  return concat([previous, segments, next], axis + 1); // (..., G, e + w + e, ...rest)
}
