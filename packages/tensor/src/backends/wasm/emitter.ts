// A tiny WebAssembly binary emitter (core spec 1.0 + fixed-width SIMD 128 + bulk memory), so the
// CPU backend's kernels are generated from TypeScript at run time, with no external toolchain
// (the approach of jax-js). Binary format: https://webassembly.github.io/spec/core/binary/ (plus
// the threads proposal's atomic loads and stores).

/** A WebAssembly value type. @example m.declare('axpy', ['i32', 'i32', 'f32']) */
export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

const valTypeCode: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Unsigned LEB128 of a non-negative integer below 2³². */
export function unsignedLeb128(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function signedLeb128(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function encodeString(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  return [...unsignedLeb128(bytes.length), ...bytes];
}

function vector(items: readonly number[][]): number[] {
  return [...unsignedLeb128(items.length), ...items.flat()];
}

/** A branch target: the label of an enclosing block or loop. @example f.loop((again) => f.get(n).brIf(again)) */
export interface Label {
  readonly depth: number;
}

/** A local variable (parameters are locals too). @example const i = f.local('i32'); */
export interface Local {
  readonly index: number;
  readonly type: ValType;
}

/**
 * Emits one function body as a stack-machine instruction stream. Methods are named after the
 * text format (`i32.add` → `i32Add`) and chain, so code reads like the WAT it produces.
 * @example m.function('add', ['i32', 'i32'], ['i32'], (f) => f.get(f.params[0]).get(f.params[1]).i32Add());
 */
export class FunctionBuilder {
  readonly params: Local[];
  private readonly locals: Local[] = [];
  private readonly code: number[] = [];
  private depth = 0;

  constructor(readonly name: string, readonly index: number, readonly paramTypes: readonly ValType[], readonly resultTypes: readonly ValType[]) {
    this.params = paramTypes.map((type, i) => ({ index: i, type }));
  }

  /** Declares a new local of `type`. */
  local(type: ValType): Local {
    const l = { index: this.paramTypes.length + this.locals.length, type };
    this.locals.push(l);
    return l;
  }

  private emit(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }

  private simd(op: number, ...immediates: number[]): this {
    return this.emit(0xfd, ...unsignedLeb128(op), ...immediates);
  }

  private memarg(alignLog2: number, offset: number): number[] {
    return [...unsignedLeb128(alignLog2), ...unsignedLeb128(offset)];
  }

  // Control flow. Labels are resolved to relative depths when a branch is emitted.
  block(body: (label: Label) => void): this {
    return this.structured(0x02, body);
  }

  loop(body: (label: Label) => void): this {
    return this.structured(0x03, body);
  }

  /** `if … else … end` on the i32 at the top of the stack (no result). */
  if(then: () => void, otherwise?: () => void): this {
    this.emit(0x04, 0x40);
    this.depth++;
    then();
    if (otherwise) {
      this.emit(0x05);
      otherwise();
    }
    this.depth--;
    return this.emit(0x0b);
  }

  private structured(opcode: number, body: (label: Label) => void): this {
    this.emit(opcode, 0x40);
    this.depth++;
    body({ depth: this.depth });
    this.depth--;
    return this.emit(0x0b);
  }

  unreachable(): this {
    return this.emit(0x00);
  }

  br(label: Label): this {
    return this.emit(0x0c, ...unsignedLeb128(this.depth - label.depth));
  }

  brIf(label: Label): this {
    return this.emit(0x0d, ...unsignedLeb128(this.depth - label.depth));
  }

  return(): this {
    return this.emit(0x0f);
  }

  call(fn: FunctionBuilder): this {
    return this.emit(0x10, ...unsignedLeb128(fn.index));
  }

  drop(): this {
    return this.emit(0x1a);
  }

  /** `select`: the first operand if the i32 on top is non-zero, else the second. */
  select(): this {
    return this.emit(0x1b);
  }

  // Locals.
  get(l: Local): this {
    return this.emit(0x20, ...unsignedLeb128(l.index));
  }

  set(l: Local): this {
    return this.emit(0x21, ...unsignedLeb128(l.index));
  }

  tee(l: Local): this {
    return this.emit(0x22, ...unsignedLeb128(l.index));
  }

  // Memory (addresses in bytes; `offset` is the static immediate added to the address).
  i32Load(offset = 0): this {
    return this.emit(0x28, ...this.memarg(2, offset));
  }

  /** i32.load8_u: one byte, zero-extended. */
  i32Load8U(offset = 0): this {
    return this.emit(0x2d, ...this.memarg(0, offset));
  }

  f32Load(offset = 0): this {
    return this.emit(0x2a, ...this.memarg(2, offset));
  }

  i32Store(offset = 0): this {
    return this.emit(0x36, ...this.memarg(2, offset));
  }

  f32Store(offset = 0): this {
    return this.emit(0x38, ...this.memarg(2, offset));
  }

  /** i32.atomic.load: a sequentially consistent load (threads) */
  i32AtomicLoad(offset = 0): this {
    return this.emit(0xfe, 0x10, ...this.memarg(2, offset));
  }

  /** i32.atomic.store: a sequentially consistent store (threads) */
  i32AtomicStore(offset = 0): this {
    return this.emit(0xfe, 0x17, ...this.memarg(2, offset));
  }

  memoryFill(): this {
    return this.emit(0xfc, ...unsignedLeb128(11), 0x00);
  }

  memoryCopy(): this {
    return this.emit(0xfc, ...unsignedLeb128(10), 0x00, 0x00);
  }

  // Constants.
  i32Const(value: number): this {
    return this.emit(0x41, ...signedLeb128(value));
  }

  f32Const(value: number): this {
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    return this.emit(0x43, ...bytes);
  }

  // i32 arithmetic and comparisons.
  i32Eqz(): this { return this.emit(0x45); }
  i32Eq(): this { return this.emit(0x46); }
  i32Ne(): this { return this.emit(0x47); }
  i32LtS(): this { return this.emit(0x48); }
  i32LtU(): this { return this.emit(0x49); }
  i32GtS(): this { return this.emit(0x4a); }
  i32LeS(): this { return this.emit(0x4c); }
  i32GeS(): this { return this.emit(0x4e); }
  i32Add(): this { return this.emit(0x6a); }
  i32Sub(): this { return this.emit(0x6b); }
  i32Mul(): this { return this.emit(0x6c); }
  i32DivS(): this { return this.emit(0x6d); }
  i32And(): this { return this.emit(0x71); }
  i32Or(): this { return this.emit(0x72); }
  i32Shl(): this { return this.emit(0x74); }
  i32ShrS(): this { return this.emit(0x75); }
  i32ShrU(): this { return this.emit(0x76); }

  // f32 / f64 arithmetic, comparisons and conversions.
  f32Eq(): this { return this.emit(0x5b); }
  f32Ne(): this { return this.emit(0x5c); }
  f32Gt(): this { return this.emit(0x5e); }
  f32Abs(): this { return this.emit(0x8b); }
  f32Neg(): this { return this.emit(0x8c); }
  f32Sqrt(): this { return this.emit(0x91); }
  f32Add(): this { return this.emit(0x92); }
  f32Sub(): this { return this.emit(0x93); }
  f32Mul(): this { return this.emit(0x94); }
  f32Div(): this { return this.emit(0x95); }
  f32Min(): this { return this.emit(0x96); }
  f32Max(): this { return this.emit(0x97); }
  f32ConvertI32S(): this { return this.emit(0xb2); }
  f32DemoteF64(): this { return this.emit(0xb6); }
  f64Add(): this { return this.emit(0xa0); }

  // SIMD: loads, stores, lanes.
  v128Load(offset = 0): this { return this.simd(0x00, ...this.memarg(4, offset)); }
  v128Load32Splat(offset = 0): this { return this.simd(0x09, ...this.memarg(2, offset)); }
  v128Store(offset = 0): this { return this.simd(0x0b, ...this.memarg(4, offset)); }
  v128Const(lanes: readonly [number, number, number, number]): this {
    return this.simd(0x0c, ...new Uint8Array(new Float32Array(lanes).buffer));
  }
  /** i8x16.shuffle of the two vectors on the stack; lanes 0–15 pick from the first, 16–31 from the second. */
  i8x16Shuffle(lanes: readonly number[]): this { return this.simd(0x0d, ...lanes); }
  i32x4Splat(): this { return this.simd(0x11); }
  f32x4Splat(): this { return this.simd(0x13); }
  f32x4ExtractLane(lane: number): this { return this.simd(0x1f, lane); }
  f64x2ExtractLane(lane: number): this { return this.simd(0x21, lane); }
  /** Loads 4 bytes into lane 0, zeroing the other lanes. */
  v128Load32Zero(offset = 0): this { return this.simd(0x5c, ...this.memarg(2, offset)); }
  /** Loads 8 bytes into the low half, zeroing the high half. */
  v128Load64Zero(offset = 0): this { return this.simd(0x5d, ...this.memarg(3, offset)); }

  // SIMD: bitwise, comparisons, arithmetic.
  f32x4Eq(): this { return this.simd(0x41); }
  f32x4Gt(): this { return this.simd(0x44); }
  f32x4Le(): this { return this.simd(0x45); }
  f32x4Ge(): this { return this.simd(0x46); }
  v128And(): this { return this.simd(0x4e); }
  v128Or(): this { return this.simd(0x50); }
  v128Bitselect(): this { return this.simd(0x52); }
  f32x4Floor(): this { return this.simd(0x68); }
  f32x4Nearest(): this { return this.simd(0x6a); }
  f64x2PromoteLowF32x4(): this { return this.simd(0x5f); }
  i32x4Shl(): this { return this.simd(0xab); }
  i32x4ShrS(): this { return this.simd(0xac); }
  i32x4Add(): this { return this.simd(0xae); }
  i32x4Sub(): this { return this.simd(0xb1); }
  f32x4Abs(): this { return this.simd(0xe0); }
  f32x4Neg(): this { return this.simd(0xe1); }
  f32x4Sqrt(): this { return this.simd(0xe3); }
  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Sub(): this { return this.simd(0xe5); }
  f32x4Mul(): this { return this.simd(0xe6); }
  f32x4Div(): this { return this.simd(0xe7); }
  f32x4Min(): this { return this.simd(0xe8); }
  f32x4Max(): this { return this.simd(0xe9); }
  f64x2Add(): this { return this.simd(0xf0); }
  i32x4TruncSatF32x4S(): this { return this.simd(0xf8); }

  // Structured helpers.
  /**
   * `for (i = from; i < to; i += step) body()` with `from`, `to` emitted by the callbacks (i32,
   * signed compare); the body runs zero times when from >= to.
   */
  forRange(i: Local, from: () => void, to: () => void, step: number, body: () => void): this {
    from();
    this.set(i);
    return this.block((exit) => {
      this.get(i);
      to();
      this.i32GeS().brIf(exit);
      this.loop((next) => {
        body();
        this.get(i).i32Const(step).i32Add().tee(i);
        to();
        this.i32LtS().brIf(next);
      });
    });
  }

  /** The encoded body: local declarations (run-length by type) and instructions. */
  encodeBody(): number[] {
    const groups: number[][] = [];
    for (const l of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === valTypeCode[l.type]) last[0]++;
      else groups.push([1, valTypeCode[l.type]]);
    }
    const body = [...vector(groups.map(([count, code]) => [...unsignedLeb128(count), code])), ...this.code, 0x0b];
    return [...unsignedLeb128(body.length), ...body];
  }
}

/** The imported memory of a module. @example { module: 'env', name: 'memory', initialPages: 1, maximumPages: 65536, shared: true } */
export interface MemoryImport {
  readonly module: string;
  readonly name: string;
  readonly initialPages: number;
  readonly maximumPages?: number;
  readonly shared: boolean;
}

/**
 * Builds a module that imports one memory and defines functions.
 * @example
 * const m = new ModuleBuilder({ module: 'env', name: 'memory', initialPages: 1, shared: false });
 * m.function('answer', [], ['i32'], (f) => f.i32Const(42));
 * const bytes = m.encode();
 */
export class ModuleBuilder {
  private readonly functions: FunctionBuilder[] = [];
  private readonly exported = new Set<FunctionBuilder>();

  constructor(private readonly memory: MemoryImport) {}

  /** Declares a function (bodies may call functions declared later); exported unless `internal`. */
  declare(name: string, params: readonly ValType[], results: readonly ValType[] = [], options: { internal?: boolean } = {}): FunctionBuilder {
    const fn = new FunctionBuilder(name, this.functions.length, params, results);
    this.functions.push(fn);
    if (!options.internal) this.exported.add(fn);
    return fn;
  }

  /** Declares and defines an exported function in one step. */
  function(name: string, params: readonly ValType[], results: readonly ValType[], body: (f: FunctionBuilder) => void): FunctionBuilder {
    const fn = this.declare(name, params, results);
    body(fn);
    return fn;
  }

  encode(): Uint8Array<ArrayBuffer> {
    const section = (id: number, content: number[]) => [id, ...unsignedLeb128(content.length), ...content];
    const signature = (fn: FunctionBuilder) => [0x60, ...vector(fn.paramTypes.map((t) => [valTypeCode[t]])), ...vector(fn.resultTypes.map((t) => [valTypeCode[t]]))];
    const m = this.memory;
    const limits = m.maximumPages === undefined
      ? [0x00, ...unsignedLeb128(m.initialPages)]
      : [m.shared ? 0x03 : 0x01, ...unsignedLeb128(m.initialPages), ...unsignedLeb128(m.maximumPages)];
    const bytes = [
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      // NOTE: one type per function (duplicates are legal and keep the indices trivial).
      ...section(1, vector(this.functions.map(signature))),
      ...section(2, vector([[...encodeString(m.module), ...encodeString(m.name), 0x02, ...limits]])),
      ...section(3, vector(this.functions.map((fn) => unsignedLeb128(fn.index)))),
      ...section(7, vector([...this.exported].map((fn) => [...encodeString(fn.name), 0x00, ...unsignedLeb128(fn.index)]))),
      ...section(10, vector(this.functions.map((fn) => fn.encodeBody()))),
    ];
    return new Uint8Array(bytes);
  }
}
