// Command-line flags: a small typed parser (`--name value`, `--name=value`, `--flag`, `--no-flag`)
// driven by a table per subcommand, with UsageError for anything it cannot take, and help text
// generated from the same table.
import { ConfigError } from '@longshort/tensor';

/** A bad command line (unknown flag or subcommand, a value of the wrong type); the CLI exits with 2. */
export class UsageError extends ConfigError {
  constructor(command: string, key: string, expected: string, actual: string, hint?: string) {
    super(command, key, expected, actual, hint);
    this.name = 'UsageError';
  }
}

export type FlagValue = string | number | boolean;

export interface FlagSpec {
  readonly type: 'string' | 'int' | 'number' | 'boolean';
  readonly help: string;
  readonly default?: FlagValue;
  /** Allowed values of a string flag. */
  readonly choices?: readonly string[];
  /** Smallest allowed value of a numeric flag. */
  readonly min?: number;
  /** Name of the value in help (default: the type). */
  readonly value?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** Parsed flags: every flag of the table, undefined where not given and without a default. */
export type Flags = Record<string, FlagValue | undefined>;

function convert(command: string, name: string, spec: FlagSpec, raw: string): FlagValue {
  const key = `--${name}`;
  if (spec.type === 'string') {
    if (spec.choices && !spec.choices.includes(raw)) throw new UsageError(command, key, `one of ${spec.choices.join(', ')}`, JSON.stringify(raw));
    return raw;
  }
  if (spec.type === 'boolean') {
    if (raw === 'true' || raw === 'false') return raw === 'true';
    throw new UsageError(command, key, 'true or false', JSON.stringify(raw));
  }
  const value = raw.trim() === '' ? NaN : Number(raw);
  const integer = spec.type === 'int';
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) throw new UsageError(command, key, integer ? 'an integer' : 'a number', JSON.stringify(raw));
  if (spec.min !== undefined && value < spec.min) throw new UsageError(command, key, `${integer ? 'an integer' : 'a number'} >= ${spec.min}`, raw);
  return value;
}

/**
 * Parses `argv` (the arguments after the subcommand) against `specs`.
 * @example parseFlags('train', ['--steps', '100', '--quiet'], trainFlags) // { steps: 100, quiet: true, … }
 */
export function parseFlags(command: string, argv: readonly string[], specs: FlagSpecs): Flags {
  const flags: Flags = Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, spec.default]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(command, 'argument', 'a --flag', JSON.stringify(arg), `run 'longshort ${command} --help' for the flags.`);
    const eq = arg.indexOf('=');
    let name = arg.slice(2, eq === -1 ? undefined : eq);
    let raw = eq === -1 ? undefined : arg.slice(eq + 1);
    if (!(name in specs) && name.startsWith('no-') && specs[name.slice(3)]?.type === 'boolean' && raw === undefined) {
      name = name.slice(3);
      raw = 'false';
    }
    const spec = specs[name];
    if (!spec) throw new UsageError(command, `--${name}`, 'a known flag', 'an unknown one', `the flags of '${command}' are ${Object.keys(specs).map((k) => `--${k}`).join(', ')}.`);
    if (raw === undefined) {
      if (spec.type === 'boolean') raw = 'true';
      else if (i + 1 < argv.length) raw = argv[++i];
      else throw new UsageError(command, `--${name}`, `a value (${spec.value ?? spec.type})`, 'nothing');
    }
    flags[name] = convert(command, name, spec, raw);
  }
  return flags;
}

/**
 * The help text of a subcommand.
 * @example console.log(formatHelp('train', 'Trains a model.', trainFlags));
 */
export function formatHelp(command: string, summary: string, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const left = `  --${name}${spec.type === 'boolean' ? '' : ` <${spec.value ?? (spec.choices ? spec.choices.join('|') : spec.type)}>`}`;
    const suffix = spec.default === undefined || spec.type === 'boolean' ? '' : ` (default ${typeof spec.default === 'string' ? JSON.stringify(spec.default) : spec.default})`;
    return [left, `${spec.help}${suffix}`] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [`Usage: longshort ${command} [flags]`, '', summary, '', 'Flags:', ...rows.map(([left, right]) => left.padEnd(width) + right)].join('\n');
}
