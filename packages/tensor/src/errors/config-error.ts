import { TensorError } from './tensor-error.js';

/** A configuration or argument value was invalid (not a shape problem). */
export class ConfigError extends TensorError {
  readonly key: string;
  readonly expected: string;
  readonly actual: string;

  constructor(model: string, key: string, expected: string, actual: string, hint?: string) {
    super('BAD_CONFIG', model, `${model}: '${key}' is invalid; expected ${expected}, got ${actual}.${hint ? `\nHint: ${hint}` : ''}`);
    this.name = 'ConfigError';
    this.key = key;
    this.expected = expected;
    this.actual = actual;
  }
}
