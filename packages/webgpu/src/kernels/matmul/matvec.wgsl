// Batched matrix-vector product y[j] = Σ_k x[k] · w[j, k] for matmul with M = 1 (x = a's row,
// w[j, k] = b[k, j]) or N = 1 (x = b's column, w = a), on strided operands like the tiled kernel.
// Binding 0 (`a`) is the vector x, binding 1 (`b`, declared by the header's variant) the matrix w.
// A workgroup of WORKGROUP_SIZE invocations computes GROUPS = WORKGROUP_SIZE / LANES blocks of 4
// outputs; the LANES invocations of a block split K (lane l takes k ≡ l mod LANES) and their
// partial sums are combined by a tree in workgroup memory (a fixed order: deterministic). With
// K_FAST the lanes of a block are adjacent invocations (coalesced where w is contiguous along K),
// otherwise the blocks are (coalesced where w is contiguous along the outputs). Loads use clamped
// indices, so they stay in bounds; outputs past `length` are never stored.
// The header declares `alias A`, bindings 1 (b) and 2 (y), and the variant's
// `fn load_b(columns: vec4<u32>, k_offset: u32) -> vec4<f32>` and
// `fn store_row(offset: u32, columns_left: u32, value: vec4<f32>)` (scalar, or vec4 where aligned).
override BATCH_RANK: u32;
override WORKGROUP_SIZE: u32 = 256;
override LANES: u32;
override K_FAST: bool;

struct Params {
  // Outputs per batch item (N for M = 1, M for N = 1), the reduced length, and workgroups per item.
  length: u32,
  k: u32,
  blocks: u32,
  batches: u32,
  offset_a: u32,
  offset_b: u32,
  // x's stride along K; w's strides along the outputs and along K.
  x_step: u32,
  w_out: u32,
  w_k: u32,
  batch_shape: array<vec4<u32>, 2>,
  a_batch_strides: array<vec4<u32>, 2>,
  b_batch_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> a: array<A>;
@group(0) @binding(3) var<uniform> p: Params;

var<workgroup> partial: array<vec4<f32>, WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32) {
  let flat = flat_workgroup(wid, nwg);
  // Workgroups past the last one of a folded grid (uniform across the workgroup).
  if (flat >= p.blocks * p.batches) {
    return;
  }
  let groups = WORKGROUP_SIZE / LANES;
  let lane = select(lid / groups, lid % LANES, K_FAST);
  let group = select(lid % groups, lid / LANES, K_FAST);
  // The invocation holding lane `lane + s` of this block is `lid + s · lane_stride`.
  let lane_stride = select(groups, 1u, K_FAST);
  let batch = flat / p.blocks;
  let out0 = ((flat % p.blocks) * groups + group) * 4u;
  let at = unravel(batch, BATCH_RANK, p.batch_shape);
  let x_base = p.offset_a + offset_at(at, BATCH_RANK, p.a_batch_strides);
  let w_base = p.offset_b + offset_at(at, BATCH_RANK, p.b_batch_strides);
  let lanes = vec4<u32>(0u, 1u, 2u, 3u);
  let outputs = vec4<u32>(w_base) + min(vec4<u32>(out0) + lanes, vec4<u32>(p.length - 1u)) * p.w_out;
  var acc = vec4<f32>(0.0);
  for (var k = lane; k < p.k; k += LANES) {
    acc += f32(a[x_base + k * p.x_step]) * load_b(outputs, k * p.w_k);
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride /= 2u) {
    if (lane < stride) {
      partial[lid] += partial[lid + stride * lane_stride];
    }
    workgroupBarrier();
  }
  if (lane == 0u && out0 < p.length) {
    store_row(batch * p.length + out0, p.length - out0, partial[lid]);
  }
}
