// A safe unpickler for Python pickle protocols 0-5 (opcodes as in CPython's Lib/pickle.py and
// Lib/pickletools.py; PEP 307 for protocol 2). It never runs code: GLOBAL/STACK_GLOBAL yield inert
// `{ __global__ }` placeholders, and only whitelisted names are interpreted, by data-only functions.

import { FileFormatError } from '../../errors/index.js';

/**
 * An inert stand-in for a Python global (a class or function the pickle names) or for the result of
 * calling one: REDUCE/NEWOBJ record `args` (and `kwargs`), BUILD records `state`, and list or dict
 * subclasses collect APPENDS into `items` and SETITEMS into `entries`. Nothing is ever called.
 */
export interface PickleGlobal {
  /** `module.name`, e.g. `argparse.Namespace`. */
  __global__: string;
  args?: unknown[];
  kwargs?: unknown;
  state?: unknown;
  items?: unknown[];
  entries?: Map<unknown, unknown>;
}

/** Interprets a call of a whitelisted global from its (data-only) arguments. */
export type GlobalInterpreter = (args: unknown[]) => unknown;

export interface UnpickleOptions {
  /** Interpreters of whitelisted globals by `module.name`, on top of PYTHON_GLOBALS. */
  globals?: ReadonlyMap<string, GlobalInterpreter>;
  /** Resolves persistent ids (PERSID / BINPERSID); without it they are an error. */
  persistentLoad?: (pid: unknown) => unknown;
  /** The most opcodes to execute before giving up. Default 100,000,000. */
  maxOps?: number;
}

const FORMAT = 'pickle';
const HIGHEST_PROTOCOL = 5;

/** Whether `value` is a placeholder for a Python global or an object built from one. */
export function isPickleGlobal(value: unknown): value is PickleGlobal {
  return typeof value === 'object' && value !== null && !(value instanceof Map) && typeof (value as PickleGlobal).__global__ === 'string';
}

/** An inert placeholder for a call of global `name` with `args`. */
function pickleCall(name: string, args: unknown[]): PickleGlobal {
  return { __global__: name, args };
}

/** The Python builtins the unpickler interprets: dicts, sets and `_codecs.encode` of byte strings. */
export const PYTHON_GLOBALS: ReadonlyMap<string, GlobalInterpreter> = new Map<string, GlobalInterpreter>([
  ['collections.OrderedDict', orderedDict],
  ['builtins.set', toSet],
  ['__builtin__.set', toSet],
  ['builtins.frozenset', toSet],
  ['__builtin__.frozenset', toSet],
  ['_codecs.encode', codecsEncode],
]);

/**
 * Unpickles `bytes` into plain data: None → null, bool → boolean, int → number (bigint beyond
 * ±2^53), float → number, str → string, bytes/bytearray → Uint8Array, tuple and list → array,
 * dict → Map, set/frozenset → Set, and any other object → a PickleGlobal placeholder (or what a
 * whitelisted interpreter returns). BUILD on a non-placeholder object records its state as a
 * non-enumerable `state` property.
 *
 * @throws FileFormatError `MALFORMED_FILE` for truncated or invalid pickles (unknown opcodes, stack
 *   underflow, missing marks or memo entries, too many opcodes); `UNSUPPORTED_FORMAT` for protocols
 *   above 5, extension codes and out-of-band buffers.
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions = {}): unknown {
  return unpickleAt(bytes, 0, options).value;
}

/**
 * Unpickles the pickle that starts at byte `offset` of `bytes`, as unpickle does, and also returns
 * where it ends (the byte after its STOP), for streams of consecutive pickles.
 */
export function unpickleAt(bytes: Uint8Array, offset: number, options: UnpickleOptions = {}): { value: unknown; end: number } {
  const unpickler = new Unpickler(bytes, options, offset);
  const value = unpickler.run();
  return { value, end: unpickler.end() };
}

class Unpickler {
  private position: number;
  private readonly stack: unknown[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, unknown>();
  /** Bare global references (not yet called), which interpreters may apply to. */
  private readonly references = new WeakSet<PickleGlobal>();
  private readonly globals: ReadonlyMap<string, GlobalInterpreter>;
  private readonly view: DataView;
  private readonly decoder = new TextDecoder();

  constructor(private readonly bytes: Uint8Array, private readonly options: UnpickleOptions, start: number) {
    this.position = start;
    this.globals = new Map([...PYTHON_GLOBALS, ...(options.globals ?? [])]);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  end(): number {
    return this.position;
  }

  run(): unknown {
    const maxOps = this.options.maxOps ?? 100_000_000;
    for (let ops = 0; ops < maxOps; ops++) {
      const at = this.position;
      const opcode = this.readU8();
      if (opcode === 0x2e) return this.pop('STOP'); // STOP
      this.step(opcode, at);
    }
    throw malformed(`pickle runs too many opcodes; expected at most ${maxOps}, got more.`);
  }

  private step(opcode: number, at: number): void {
    switch (opcode) {
      case 0x80: { // PROTO
        const protocol = this.readU8();
        if (protocol > HIGHEST_PROTOCOL) {
          throw new FileFormatError('UNSUPPORTED_FORMAT', FORMAT, `protocol is too new; expected at most ${HIGHEST_PROTOCOL}, got ${protocol}.`);
        }
        return;
      }
      case 0x95: this.readU64(); return; // FRAME (a read-ahead hint)
      case 0x28: this.marks.push(this.stack.length); return; // MARK
      case 0x30: // POP
        if (this.stack.length > this.base()) this.stack.pop();
        else this.popMark('POP');
        return;
      case 0x31: this.popMark('POP_MARK'); return;
      case 0x32: this.push(this.top('DUP')); return;
      case 0x4e: this.push(null); return; // NONE
      case 0x88: this.push(true); return; // NEWTRUE
      case 0x89: this.push(false); return; // NEWFALSE
      case 0x49: this.push(parseIntLine(this.readLine(), at, true)); return; // INT
      case 0x4c: this.push(parseIntLine(this.readLine(), at, false)); return; // LONG
      case 0x4a: this.push(this.view.getInt32(this.advance(4), true)); return; // BININT
      case 0x4b: this.push(this.readU8()); return; // BININT1
      case 0x4d: this.push(this.view.getUint16(this.advance(2), true)); return; // BININT2
      case 0x8a: this.push(decodeLong(this.readBytes(this.readU8()))); return; // LONG1
      case 0x8b: this.push(decodeLong(this.readBytes(this.readLength('LONG4')))); return; // LONG4
      case 0x46: this.push(parseFloatLine(this.readLine(), at)); return; // FLOAT
      case 0x47: this.push(this.view.getFloat64(this.advance(8), false)); return; // BINFLOAT
      case 0x53: this.push(this.decoder.decode(unquoteString(this.readLine(), at))); return; // STRING
      case 0x54: this.push(this.decoder.decode(this.readBytes(this.readLength('BINSTRING')))); return;
      case 0x55: this.push(this.decoder.decode(this.readBytes(this.readU8()))); return; // SHORT_BINSTRING
      case 0x56: this.push(decodeRawUnicodeEscape(this.readLine())); return; // UNICODE
      case 0x58: this.push(this.decoder.decode(this.readBytes(this.readLength('BINUNICODE')))); return;
      case 0x8c: this.push(this.decoder.decode(this.readBytes(this.readU8()))); return; // SHORT_BINUNICODE
      case 0x8d: this.push(this.decoder.decode(this.readBytes(this.readU64()))); return; // BINUNICODE8
      case 0x42: this.push(this.readBytes(this.readLength('BINBYTES')).slice()); return;
      case 0x43: this.push(this.readBytes(this.readU8()).slice()); return; // SHORT_BINBYTES
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        this.push(this.readBytes(this.readU64()).slice());
        return;
      case 0x29: this.push([]); return; // EMPTY_TUPLE
      case 0x74: this.push(this.popMark('TUPLE')); return;
      case 0x85: this.push(this.popN(1, 'TUPLE1')); return;
      case 0x86: this.push(this.popN(2, 'TUPLE2')); return;
      case 0x87: this.push(this.popN(3, 'TUPLE3')); return;
      case 0x5d: this.push([]); return; // EMPTY_LIST
      case 0x6c: this.push(this.popMark('LIST')); return;
      case 0x61: this.append([this.pop('APPEND')], 'APPEND'); return;
      case 0x65: this.append(this.popMark('APPENDS'), 'APPENDS'); return;
      case 0x7d: this.push(new Map()); return; // EMPTY_DICT
      case 0x64: { // DICT
        const map = new Map();
        this.setItems(map, this.popMark('DICT'), 'DICT');
        this.push(map);
        return;
      }
      case 0x73: { // SETITEM
        const value = this.pop('SETITEM');
        const key = this.pop('SETITEM');
        this.setItems(this.top('SETITEM'), [key, value], 'SETITEM');
        return;
      }
      case 0x75: { // SETITEMS
        const items = this.popMark('SETITEMS');
        this.setItems(this.top('SETITEMS'), items, 'SETITEMS');
        return;
      }
      case 0x8f: this.push(new Set()); return; // EMPTY_SET
      case 0x90: { // ADDITEMS
        const items = this.popMark('ADDITEMS');
        const target = this.top('ADDITEMS');
        if (!(target instanceof Set)) throw malformed(`ADDITEMS at byte ${at} has a bad target; expected a set, got ${kindOf(target)}.`);
        for (const item of items) target.add(item);
        return;
      }
      case 0x91: this.push(new Set(this.popMark('FROZENSET'))); return;
      case 0x63: { // GLOBAL
        const module = this.decoder.decode(this.readLine());
        this.push(this.reference(module, this.decoder.decode(this.readLine())));
        return;
      }
      case 0x93: { // STACK_GLOBAL
        const name = this.pop('STACK_GLOBAL');
        const module = this.pop('STACK_GLOBAL');
        if (typeof module !== 'string' || typeof name !== 'string') {
          throw malformed(`STACK_GLOBAL at byte ${at} has a non-string name; expected two strings, got ${kindOf(module)} and ${kindOf(name)}.`);
        }
        this.push(this.reference(module, name));
        return;
      }
      case 0x69: { // INST
        const module = this.decoder.decode(this.readLine());
        const name = this.decoder.decode(this.readLine());
        this.push(this.call(this.reference(module, name), this.popMark('INST'), undefined, at));
        return;
      }
      case 0x6f: { // OBJ
        const [callable, ...args] = this.popMark('OBJ');
        this.push(this.call(callable, args, undefined, at));
        return;
      }
      case 0x52: { // REDUCE
        const args = this.pop('REDUCE');
        this.push(this.call(this.pop('REDUCE'), this.tuple(args, 'REDUCE', at), undefined, at));
        return;
      }
      case 0x81: { // NEWOBJ
        const args = this.pop('NEWOBJ');
        this.push(this.call(this.pop('NEWOBJ'), this.tuple(args, 'NEWOBJ', at), undefined, at));
        return;
      }
      case 0x92: { // NEWOBJ_EX
        const kwargs = this.pop('NEWOBJ_EX');
        const args = this.pop('NEWOBJ_EX');
        this.push(this.call(this.pop('NEWOBJ_EX'), this.tuple(args, 'NEWOBJ_EX', at), kwargs, at));
        return;
      }
      case 0x62: { // BUILD
        const state = this.pop('BUILD');
        this.build(this.top('BUILD'), state, at);
        return;
      }
      case 0x50: this.push(this.persistentLoad(this.decoder.decode(this.readLine()), at)); return; // PERSID
      case 0x51: this.push(this.persistentLoad(this.pop('BINPERSID'), at)); return;
      case 0x70: this.memo.set(parseMemoIndex(this.readLine(), at), this.top('PUT')); return;
      case 0x71: this.memo.set(this.readU8(), this.top('BINPUT')); return;
      case 0x72: this.memo.set(this.view.getUint32(this.advance(4), true), this.top('LONG_BINPUT')); return;
      case 0x94: this.memo.set(this.memo.size, this.top('MEMOIZE')); return;
      case 0x67: this.push(this.recall(parseMemoIndex(this.readLine(), at), at)); return; // GET
      case 0x68: this.push(this.recall(this.readU8(), at)); return; // BINGET
      case 0x6a: this.push(this.recall(this.view.getUint32(this.advance(4), true), at)); return; // LONG_BINGET
      case 0x98: this.top('READONLY_BUFFER'); return;
      case 0x82: case 0x83: case 0x84: // EXT1, EXT2, EXT4
        throw new FileFormatError('UNSUPPORTED_FORMAT', FORMAT, `opcode 0x${opcode.toString(16)} at byte ${at} uses the copyreg extension registry; expected none, got an extension code.`);
      case 0x97: // NEXT_BUFFER
        throw new FileFormatError('UNSUPPORTED_FORMAT', FORMAT, `NEXT_BUFFER at byte ${at} needs an out-of-band buffer; expected in-band data, got none.`);
      default:
        throw malformed(`opcode at byte ${at} is unknown; expected a pickle opcode, got 0x${opcode.toString(16).padStart(2, '0')}.`);
    }
  }

  private reference(module: string, name: string): PickleGlobal {
    const placeholder: PickleGlobal = { __global__: `${module}.${name}` };
    this.references.add(placeholder);
    return placeholder;
  }

  /** Applies a callable to arguments: a whitelisted global is interpreted, any other is recorded. */
  private call(callable: unknown, args: unknown[], kwargs: unknown, at: number): unknown {
    if (!isPickleGlobal(callable)) throw malformed(`call at byte ${at} has a bad callable; expected a global, got ${kindOf(callable)}.`);
    const interpreter = this.globals.get(callable.__global__);
    if (interpreter !== undefined && this.references.has(callable) && kwargs === undefined) return interpreter(args);
    const result = pickleCall(callable.__global__, args);
    if (kwargs !== undefined) result.kwargs = kwargs;
    return result;
  }

  private build(target: unknown, state: unknown, at: number): void {
    if (isPickleGlobal(target)) target.state = state;
    else if (typeof target === 'object' && target !== null) Object.defineProperty(target, 'state', { value: state, writable: true, configurable: true });
    else throw malformed(`BUILD at byte ${at} has a bad target; expected an object, got ${kindOf(target)}.`);
  }

  private append(items: unknown[], op: string): void {
    const target = this.top(op);
    if (isPickleGlobal(target)) target.items ??= [];
    const list = isPickleGlobal(target) ? target.items! : target;
    if (!Array.isArray(list)) throw malformed(`${op} has a bad target; expected a list, got ${kindOf(target)}.`);
    for (const item of items) list.push(item);
  }

  private setItems(target: unknown, items: unknown[], op: string): void {
    if (items.length % 2 !== 0) throw malformed(`${op} has an odd number of items; expected key/value pairs, got ${items.length} items.`);
    if (isPickleGlobal(target)) target.entries ??= new Map();
    const map = isPickleGlobal(target) ? target.entries! : target;
    if (!(map instanceof Map)) throw malformed(`${op} has a bad target; expected a dict, got ${kindOf(target)}.`);
    for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
  }

  private persistentLoad(pid: unknown, at: number): unknown {
    if (this.options.persistentLoad === undefined) {
      throw malformed(`persistent id at byte ${at} cannot be resolved; expected no persistent ids in a plain pickle, got one.`);
    }
    return this.options.persistentLoad(pid);
  }

  private recall(index: number, at: number): unknown {
    if (!this.memo.has(index)) throw malformed(`memo lookup at byte ${at} misses; expected a stored memo index, got ${index}.`);
    return this.memo.get(index);
  }

  private tuple(value: unknown, op: string, at: number): unknown[] {
    if (!Array.isArray(value)) throw malformed(`${op} at byte ${at} has non-tuple arguments; expected a tuple, got ${kindOf(value)}.`);
    return value;
  }

  private base(): number {
    return this.marks.length === 0 ? 0 : this.marks[this.marks.length - 1];
  }

  private push(value: unknown): void {
    this.stack.push(value);
  }

  private top(op: string): unknown {
    if (this.stack.length <= this.base()) throw underflow(op, this.position);
    return this.stack[this.stack.length - 1];
  }

  private pop(op: string): unknown {
    if (this.stack.length <= this.base()) throw underflow(op, this.position);
    return this.stack.pop();
  }

  private popN(count: number, op: string): unknown[] {
    if (this.stack.length - count < this.base()) throw underflow(op, this.position);
    return this.stack.splice(this.stack.length - count, count);
  }

  private popMark(op: string): unknown[] {
    const mark = this.marks.pop();
    if (mark === undefined) throw malformed(`${op} before byte ${this.position} has no MARK; expected a MARK earlier, got none.`);
    return this.stack.splice(mark);
  }

  private advance(count: number): number {
    const start = this.position;
    if (count > this.bytes.length - start) {
      throw malformed(`pickle is truncated at byte ${start}; expected ${count} more bytes, got ${this.bytes.length - start}.`);
    }
    this.position += count;
    return start;
  }

  private readU8(): number {
    return this.bytes[this.advance(1)];
  }

  private readU64(): number {
    const start = this.advance(8);
    const value = this.view.getUint32(start, true) + this.view.getUint32(start + 4, true) * 2 ** 32;
    if (value > this.bytes.length) throw malformed(`length at byte ${start} runs past the end of the pickle; expected at most ${this.bytes.length}, got ${value}.`);
    return value;
  }

  /** A 4-byte little-endian length argument (signed in the format, so negative values are rejected). */
  private readLength(op: string): number {
    const start = this.advance(4);
    const length = this.view.getInt32(start, true);
    if (length < 0) throw malformed(`${op} at byte ${start - 1} has a negative length; expected >= 0, got ${length}.`);
    return length;
  }

  private readBytes(count: number): Uint8Array {
    const start = this.advance(count);
    return this.bytes.subarray(start, start + count);
  }

  /** The bytes up to the next newline (excluded), which is consumed. */
  private readLine(): Uint8Array {
    const end = this.bytes.indexOf(0x0a, this.position);
    if (end < 0) throw malformed(`pickle is truncated at byte ${this.position}; expected a newline-terminated argument, got the end of the data.`);
    const line = this.bytes.subarray(this.position, end);
    this.position = end + 1;
    return line;
  }
}

function orderedDict(args: unknown[]): Map<unknown, unknown> {
  const map = new Map<unknown, unknown>();
  const items = args[0];
  if (items === undefined) return map;
  if (items instanceof Map) return new Map(items);
  if (!Array.isArray(items)) throw malformed(`collections.OrderedDict argument is invalid; expected a list of pairs, got ${kindOf(items)}.`);
  for (const pair of items) {
    if (!Array.isArray(pair) || pair.length !== 2) throw malformed(`collections.OrderedDict item is invalid; expected a (key, value) pair, got ${kindOf(pair)}.`);
    map.set(pair[0], pair[1]);
  }
  return map;
}

function toSet(args: unknown[]): Set<unknown> {
  const items = args[0];
  if (items === undefined) return new Set();
  if (Array.isArray(items) || items instanceof Set) return new Set(items);
  if (items instanceof Map) return new Set(items.keys());
  throw malformed(`set argument is invalid; expected an iterable, got ${kindOf(items)}.`);
}

/** `_codecs.encode(text, encoding)`, which protocol-2 pickles use for Python 3 bytes. */
function codecsEncode(args: unknown[]): unknown {
  const [text, encoding = 'utf-8'] = args;
  if (typeof text !== 'string' || typeof encoding !== 'string') return pickleCall('_codecs.encode', args);
  const codec = encoding.toLowerCase().replace(/_/g, '-');
  if (codec === 'utf-8' || codec === 'utf8') return new TextEncoder().encode(text);
  if (!['latin1', 'latin-1', 'iso-8859-1', 'iso8859-1', 'l1'].includes(codec)) return pickleCall('_codecs.encode', args);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw malformed(`_codecs.encode latin1 text has a character outside latin1; expected codes up to 255, got ${code}.`);
    out[i] = code;
  }
  return out;
}

function parseIntLine(line: Uint8Array, at: number, allowBool: boolean): number | bigint | boolean {
  const text = latin1(line).trim().replace(/L$/, '');
  if (allowBool && text === '01') return true;
  if (allowBool && text === '00') return false;
  if (!/^[+-]?\d+$/.test(text)) throw malformed(`integer at byte ${at} is invalid; expected decimal digits, got "${clip(text)}".`);
  return normalizeInt(BigInt(text));
}

function parseFloatLine(line: Uint8Array, at: number): number {
  const text = latin1(line).trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special === null) throw malformed(`float at byte ${at} is invalid; expected a decimal float, got "${clip(text)}".`);
  if (special[2].toLowerCase() === 'nan') return NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}

function parseMemoIndex(line: Uint8Array, at: number): number {
  const text = latin1(line).trim();
  if (!/^\d{1,15}$/.test(text)) throw malformed(`memo index at byte ${at} is invalid; expected a non-negative integer, got "${clip(text)}".`);
  return Number(text);
}

/** Decodes a little-endian two's complement integer (LONG1 / LONG4). */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let hex = '';
  for (let i = bytes.length - 1; i >= 0; i--) hex += bytes[i].toString(16).padStart(2, '0');
  return normalizeInt(BigInt.asIntN(bytes.length * 8, BigInt(`0x${hex}`)));
}

function normalizeInt(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** The bytes of a protocol-0 STRING argument: a quoted Python 2 string literal with escapes. */
function unquoteString(line: Uint8Array, at: number): Uint8Array {
  const text = latin1(line).trimEnd();
  const quote = text[0];
  if (text.length < 2 || (quote !== "'" && quote !== '"') || text[text.length - 1] !== quote) {
    throw malformed(`STRING at byte ${at} is not quoted; expected a quoted string, got "${clip(text)}".`);
  }
  const body = text.slice(1, -1);
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\' || i === body.length - 1) {
      out.push(body.charCodeAt(i));
      continue;
    }
    const escape = /^(?:x([0-9a-fA-F]{2})|([0-7]{1,3})|(.))/s.exec(body.slice(i + 1))!;
    const [sequence, hex, octal, other] = escape;
    if (hex !== undefined) out.push(parseInt(hex, 16));
    else if (octal !== undefined) out.push(parseInt(octal, 8) & 0xff);
    else out.push(...(SIMPLE_ESCAPES.has(other) ? [SIMPLE_ESCAPES.get(other)!] : [92, other.charCodeAt(0)]));
    i += sequence.length;
  }
  return Uint8Array.from(out);
}

const SIMPLE_ESCAPES = new Map([['n', 10], ['t', 9], ['r', 13], ['a', 7], ['b', 8], ['f', 12], ['v', 11], ['\\', 92], ["'", 39], ['"', 34]]);

/** Decodes Python's raw-unicode-escape codec (protocol-0 UNICODE): latin1 plus \uXXXX and \UXXXXXXXX. */
function decodeRawUnicodeEscape(line: Uint8Array): string {
  return latin1(line).replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (match, short?: string, long?: string) => {
    const code = parseInt(short ?? long ?? '', 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : match;
  });
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** A short description of an unpickled value's kind, for error messages. */
export function kindOf(value: unknown): string {
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'a tuple or list';
  if (value instanceof Map) return 'a dict';
  if (value instanceof Set) return 'a set';
  if (value instanceof Uint8Array) return 'bytes';
  if (isPickleGlobal(value)) return `a ${value.__global__} object`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value} (${clip(String(value))})`;
}

function underflow(op: string, position: number): FileFormatError {
  return malformed(`${op} before byte ${position} pops an empty stack; expected a value on the stack, got none.`);
}

function malformed(message: string): FileFormatError {
  return new FileFormatError('MALFORMED_FILE', FORMAT, message);
}
