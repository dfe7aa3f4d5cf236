// Band extraction and re-embedding for the causal window (spec B.6: `get_tiles`,
// `get_diagonals`, `put_tiles`), done with pad + reshape + slice views instead of gathers:
// in a (rows, T) tile, query row q sees key columns q+1 … q+W.
import { pad, permute as permuteAxes, reshape, slice, type Tensor } from '@longshort/tensor';

/** (..., rows, T) → (..., rows, W): entry (q, j) = tile (q, q + 1 + j). */
export function extractBand(tile: Tensor, W: number): Tensor {
  const lead = tile.shape.slice(0, -2);
  const [rows, T] = tile.shape.slice(-2);
  const flat = reshape(tile, [...lead, rows * T]);
  // NOTE: appending `rows` entries makes row q of a width-(T+1) view start at q·T + q.
  const skewed = reshape(pad(flat, [[0, rows]]), [...lead, rows, T + 1]); // (..., rows, T + 1)
  return slice(skewed, [...lead.map(() => 0), 0, 1], [...lead, rows, W + 1]);
}

/** Inverse of extractBand: (..., rows, W) → (..., rows, T) with zeros outside the band. */
export function embedBand(band: Tensor, T: number): Tensor {
  const lead = band.shape.slice(0, -2);
  const [rows, W] = band.shape.slice(-2);
  const wide = pad(band, [[1, T - W]]); // (..., rows, T + 1), entry j at column 1 + j
  const flat = reshape(wide, [...lead, rows * (T + 1)]);
  return reshape(slice(flat, [...lead.map(() => 0), 0], [...lead, rows * T]), [...lead, rows, T]);
}

/**
 * Per-chunk skew for the compressed positional scores (spec B.5 δ formula, the original's
 * `_rel_shift_chunked`): x (..., Qc, ℓ, N) holds q̂·R_chunk(PE(N−1 … 0))ᵀ; for query chunk a
 * the score of compressed vector m sits at column (Qc − a)·r + m. Returns (..., Qc, ℓ, N) with
 * entry m at column m. Columns of invisible chunks hold junk that the chunk mask overwrites.
 */
export function skewChunks(x: Tensor, r: number): Tensor {
  const lead = x.shape.slice(0, -3);
  const [Qc, l, N] = x.shape.slice(-3);
  const width = N + (Qc + 1) * r;
  const t = reshape(pad(x, [[0, 0], [0, 0], [0, width - N]]), [...lead, Qc, l, width]);
  // Move ℓ in front so that consecutive chunks are consecutive rows of width `width`.
  const axes = [...lead.map((_, i) => i), lead.length + 1, lead.length, lead.length + 2];
  const rowsFirst = reshape(permuteAxes(t, axes), [...lead, l, Qc * width]); // (..., ℓ, Qc·width)
  // NOTE: re-reading with row width (width − r) shifts chunk a left by a·r.
  const shifted = reshape(slice(rowsFirst, [...lead.map(() => 0), 0, 0], [...lead, l, Qc * (width - r)]), [...lead, l, Qc, width - r]);
  const cut = slice(shifted, [...lead.map(() => 0), 0, 0, Qc * r], [...lead, l, Qc, Qc * r + N]); // (..., ℓ, Qc, N)
  return permuteAxes(cut, axes);
}
