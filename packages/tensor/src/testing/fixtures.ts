// Reference fixtures (fixtures/reference/README.md): safetensors files whose metadata names their
// `kind` and `config`, loaded as tensors, and the handler contract that each package implements
// for its kinds and that the conformance runner (tools/conformance) calls.
import { getBackend } from '../backend/registry.js';
import type { Backend } from '../backend/spec.js';
import { ConfigError, FileFormatError, ShapeError, formatShape } from '../errors/index.js';
import { decodeRaw } from '../io/raw-tensor.js';
import { parseSafetensors } from '../io/safetensors.js';
import { fromArray } from '../ops/creation/creation.js';
import type { Tensor } from '../tensor.js';

/** A loaded fixture: its kind, parsed config, raw metadata strings and every tensor by name. */
export interface Fixture {
  kind: string;
  config: Record<string, unknown>;
  metadata: Readonly<Record<string, string>>;
  tensors: Map<string, Tensor>;
}

/** One compared tensor: its fixture name (`output.y`, `grad.W_q.weight`) and max|a − b| / max|b|. */
export interface FixtureComparison {
  name: string;
  relError: number;
}

export interface FixtureResult {
  outputs: FixtureComparison[];
  gradients: FixtureComparison[];
}

/**
 * What a package exports as `fixtureHandler` (from its `./testing` subpath) for the fixture kinds
 * it implements. `run` must compare every `output.*` and `grad.*` tensor of the fixture.
 * @example export const fixtureHandler: FixtureHandler = { kinds: ['causal-lm'], run: async (fixture) => ({ outputs, gradients }) };
 */
export interface FixtureHandler {
  readonly kinds: readonly string[];
  run(fixture: Fixture, backend: Backend): Promise<FixtureResult>;
}

/**
 * Parses a fixture file and uploads its tensors to `backend`; throws FileFormatError when the file
 * is malformed or its metadata lacks a `kind` or has a `config` that is not JSON.
 * @example const fixture = loadFixture(readFileSync('fixtures/reference/bidir-basic.safetensors'));
 */
export function loadFixture(bytes: Uint8Array, backend: Backend = getBackend()): Fixture {
  const { metadata, tensors } = parseSafetensors(bytes);
  const kind = metadata.kind;
  if (!kind) throw new FileFormatError('MALFORMED_FILE', 'fixture', "metadata lacks 'kind'; expected a fixture kind, got none.");
  let config: Record<string, unknown> = {};
  if (metadata.config !== undefined) {
    try {
      config = JSON.parse(metadata.config) as Record<string, unknown>;
    } catch (cause) {
      throw new FileFormatError('MALFORMED_FILE', 'fixture', `metadata 'config' is not JSON; expected an object, got '${metadata.config.slice(0, 40)}'.`, { cause });
    }
  }
  const loaded = new Map<string, Tensor>();
  try {
    for (const [name, raw] of tensors) {
      const { dtype, data } = decodeRaw(raw);
      loaded.set(name, fromArray(data, raw.shape, dtype, backend));
    }
  } catch (error) {
    for (const tensor of loaded.values()) tensor.dispose();
    throw error;
  }
  return { kind, config, metadata, tensors: loaded };
}

/**
 * Compares `actual` with the fixture's tensor `name` (same shape required): max|a − b| / max|b|.
 * NOTE: a tensor whose true value is 0 (e.g. the gradient of a bias under a softmax that is
 * invariant to it) holds only round-off in the reference; `floor` bounds the denominator from
 * below (spec E.16: "a normalised metric or an absolute floor"), e.g. 1e-3 of the largest
 * gradient of the fixture.
 * @example outputs.push(await compareToFixture(fixture, 'output.y', y));
 */
export async function compareToFixture(fixture: Fixture, name: string, actual: Tensor, options: { floor?: number } = {}): Promise<FixtureComparison> {
  const expected = fixture.tensors.get(name);
  if (!expected) throw new ConfigError('compareToFixture', 'name', `a tensor of the ${fixture.kind} fixture`, `'${name}'`);
  if (formatShape(expected.shape) !== formatShape(actual.shape)) {
    throw new ShapeError('SHAPE_MISMATCH', 'compareToFixture', `'${name}'`, 'has the wrong shape', formatShape(expected.shape), formatShape(actual.shape));
  }
  const got = await actual.data();
  const ref = await expected.data();
  const scale = Math.max(maxAbs(ref), options.floor ?? 0);
  return { name, relError: scale === 0 ? maxAbsDiff(got, ref) : maxAbsDiff(got, ref) / scale };
}

/** The largest |value| over the fixture's tensors whose names start with `prefix` (e.g. 'grad.'). */
export async function fixtureScale(fixture: Fixture, prefix: string): Promise<number> {
  let scale = 0;
  for (const [name, t] of fixture.tensors) if (name.startsWith(prefix)) scale = Math.max(scale, maxAbs(await t.data()));
  return scale;
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
