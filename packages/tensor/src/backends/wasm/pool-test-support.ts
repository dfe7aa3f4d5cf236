// Test support for the thread pool (not published): a kernel module whose items record which
// thread ran them, and one that proves the calling thread and a worker both took part.
import type { CpuWasm } from './runtime.js';
import { ModuleBuilder, type FunctionBuilder, type Local } from './emitter.js';

/**
 * mark(thread, begin, end, base): i32 base[i] = thread + 1 for i in [begin, end).
 * handshake(thread, begin, end, base, flags, trap): marks its item, then sets its flag (caller:
 * flags[0], workers: flags[1]) and waits until the other one is set, so that the caller and a
 * worker both take part; then it traps on the workers (trap = 1) or on the caller (trap = 2).
 */
export function poolTestModule(wasm: CpuWasm): WebAssembly.Module {
  const m = new ModuleBuilder({ module: 'env', name: 'memory', initialPages: 1, maximumPages: wasm.shared ? 65536 : undefined, shared: wasm.shared });
  const markItems = (f: FunctionBuilder, thread: Local, begin: Local, end: Local, base: Local) => {
    const i = f.local('i32');
    f.forRange(i, () => f.get(begin), () => f.get(end), 1, () => {
      f.get(base).get(i).i32Const(2).i32Shl().i32Add().get(thread).i32Const(1).i32Add().i32Store();
    });
  };
  m.function('mark', ['i32', 'i32', 'i32', 'i32'], [], (f) => markItems(f, ...(f.params as [Local, Local, Local, Local])));
  m.function('handshake', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [thread, begin, end, base, flag, trap] = f.params;
    const spins = f.local('i32');
    markItems(f, thread, begin, end, base);
    const own = () => f.get(flag).get(thread).i32Eqz().i32Eqz().i32Const(2).i32Shl().i32Add();
    const other = () => f.get(flag).get(thread).i32Eqz().i32Const(2).i32Shl().i32Add();
    own().i32Const(1).i32AtomicStore();
    // Bounded (about a second), so a broken pool fails the test instead of hanging it.
    f.block((done) => f.loop((again) => {
      other().i32AtomicLoad().brIf(done);
      f.get(spins).i32Const(1).i32Add().tee(spins).i32Const(1 << 30).i32LtS().brIf(again);
    }));
    f.get(trap).i32Const(1).i32Eq().get(thread).i32Const(0).i32Ne().i32And().if(() => f.unreachable());
    f.get(trap).i32Const(2).i32Eq().get(thread).i32Eqz().i32And().if(() => f.unreachable());
  });
  return new WebAssembly.Module(m.encode());
}
