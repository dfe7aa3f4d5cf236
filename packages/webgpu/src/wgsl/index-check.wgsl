// Out-of-range index values in gather / indexSelect / scatterAdd: the kernel skips the element
// and records the failure in a shared status buffer [check id, value, flat position, 0]; the
// backend reads it back at the next read and throws the reference's ShapeError (index-check.ts).
// Linked after the kernel's bindings, which declare `status` and `p.check_id`.

fn report_index(value: i32, position: u32) {
  let previous = atomicMax(&status[0], p.check_id);
  if (previous < p.check_id) {
    atomicStore(&status[1], bitcast<u32>(value));
    atomicStore(&status[2], position);
  }
}
