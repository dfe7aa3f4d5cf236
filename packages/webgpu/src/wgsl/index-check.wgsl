// Out-of-range index values in gather / indexSelect / scatterAdd: the kernel skips the element
// and records the failure in a shared status buffer [check id, value, flat position, 0]; the
// backend reads it back at the next read and throws the reference's ShapeError (index-check.ts).
// Linked after the kernel's bindings, which declare `index`, `status`, `RANK` and Params fields
// `check_id`, `extent`, `offset_index`, `shape` and `strides_index`.

fn report_index(value: i32, position: u32) {
  let previous = atomicMax(&status[0], p.check_id);
  if (previous < p.check_id) {
    atomicStore(&status[1], bitcast<u32>(value));
    atomicStore(&status[2], position);
  }
}

// The index value at flat position `i` (over p.shape), or -1 after reporting one outside [0, extent).
fn checked_index(i: u32) -> i32 {
  let value = index[p.offset_index + strided_offset(i, RANK, p.shape, p.strides_index)];
  if (value < 0 || u32(value) >= p.extent) {
    report_index(value, i);
    return -1;
  }
  return value;
}
