// Uniform packing. Each kernel's WGSL declares a `struct Params` (its last binding); its layout is
// read from the WGSL itself (WGSL's alignment rules for the uniform address space), so the shader
// stays the single source of layout truth. params.test.ts checks the offsets on the real compiler.
import { BackendError } from '@longshort/tensor';

type Scalar = 'u32' | 'i32' | 'f32';

export interface ParamsField {
  readonly name: string;
  readonly scalar: Scalar;
  /** Byte offset in the struct. */
  readonly offset: number;
  /** Scalars in the field: 1, a vector's width, or 4 × the length of an array of vec4. */
  readonly count: number;
}

export interface ParamsLayout {
  readonly fields: readonly ParamsField[];
  /** Struct size in bytes, rounded up to 16 (uniform buffers bind in 16-byte units). */
  readonly size: number;
}

/** A value per Params field: a number, or numbers for vectors and arrays (zero-filled). */
export type ParamsValues = Readonly<Record<string, number | readonly number[]>>;

const scalarTypes = new Set<string>(['u32', 'i32', 'f32']);
const shorthands: Record<string, string> = {
  vec2u: 'vec2<u32>', vec2i: 'vec2<i32>', vec2f: 'vec2<f32>',
  vec4u: 'vec4<u32>', vec4i: 'vec4<i32>', vec4f: 'vec4<f32>',
};

function fail(label: string, message: string): never {
  throw new BackendError('VALIDATION', 'webgpu', `kernel '${label}': ${message}`, { kernel: label });
}

function fieldType(type: string, label: string): { scalar: Scalar; count: number; align: number } {
  const t = shorthands[type] ?? type;
  if (scalarTypes.has(t)) return { scalar: t as Scalar, count: 1, align: 4 };
  const vector = /^vec([24])<(u32|i32|f32)>$/.exec(t);
  if (vector) {
    const width = Number(vector[1]);
    return { scalar: vector[2] as Scalar, count: width, align: width * 4 };
  }
  const array = /^array<\s*(vec4<(?:u32|i32|f32)>|vec4[uif])\s*,\s*(\d+)u?\s*>$/.exec(t);
  if (array) return { scalar: fieldType(array[1], label).scalar, count: 4 * Number(array[2]), align: 16 };
  return fail(label, `Params field type '${type}' is not supported; expected u32, i32, f32, vec2/vec4 of them, or array<vec4<…>, N>.`);
}

/**
 * The layout of `struct Params` in `code` (aliases declared in `code` are resolved).
 * @example reflectParams('struct Params { size: u32, shape: array<vec4<u32>, 2> }').size // 48
 */
export function reflectParams(code: string, label = 'params'): ParamsLayout {
  const source = code.replace(/\/\/[^\n]*/g, '');
  const aliases = new Map<string, string>();
  for (const m of source.matchAll(/\balias\s+(\w+)\s*=\s*([^;]+);/g)) aliases.set(m[1], m[2].replace(/\s+/g, ''));
  const body = /\bstruct\s+Params\s*\{([^}]*)\}/.exec(source);
  if (!body) return fail(label, "the WGSL declares no 'struct Params'; expected one (the last binding).");
  const fields: ParamsField[] = [];
  let offset = 0;
  for (const declaration of body[1].split(/,(?![^<]*>)/)) {
    const m = /^\s*(\w+)\s*:\s*(.+?)\s*$/s.exec(declaration);
    if (!m) continue;
    const written = m[2].replace(/\s+/g, '');
    const { scalar, count, align } = fieldType(aliases.get(written) ?? written, label);
    offset = Math.ceil(offset / align) * align;
    fields.push({ name: m[1], scalar, offset, count });
    offset += count * 4;
  }
  return { fields, size: Math.max(16, Math.ceil(offset / 16) * 16) };
}

/**
 * Packs `values` by `layout` into the bytes of one uniform buffer.
 * @example packParams(reflectParams(code), { size: 12, shape: [3, 4] })
 */
export function packParams(layout: ParamsLayout, values: ParamsValues, label = 'params'): ArrayBuffer {
  const bytes = new ArrayBuffer(layout.size);
  const view = new DataView(bytes);
  for (const field of layout.fields) {
    const value = values[field.name];
    if (value === undefined) fail(label, `no value for Params field '${field.name}'.`);
    const list = typeof value === 'number' ? [value] : value;
    if (list.length > field.count) fail(label, `Params field '${field.name}' holds ${field.count} values; got ${list.length}.`);
    list.forEach((v, i) => {
      const at = field.offset + 4 * i;
      if (field.scalar === 'f32') view.setFloat32(at, v, true);
      else if (field.scalar === 'i32') view.setInt32(at, v, true);
      // NOTE: u32 fields wrap (negative strides become 2³² − s); u32 index arithmetic wraps too,
      // so offset + coordinate · stride still lands on the right element.
      else view.setUint32(at, v >>> 0, true);
    });
  }
  return bytes;
}
