import { TensorError } from './tensor-error.js';

/** The device lacks an adapter, a feature or a large enough limit. */
export class CapabilityError extends TensorError {
  readonly feature: string | undefined;
  readonly limit: string | undefined;
  readonly actual: number | undefined;
  readonly required: number | undefined;

  constructor(code: 'NO_ADAPTER' | 'MISSING_FEATURE' | 'LIMIT_TOO_LOW', op: string, message: string,
    fields: { feature?: string; limit?: string; actual?: number; required?: number } = {}) {
    super(code, op, `${op}: ${message}`);
    this.name = 'CapabilityError';
    this.feature = fields.feature;
    this.limit = fields.limit;
    this.actual = fields.actual;
    this.required = fields.required;
  }
}
