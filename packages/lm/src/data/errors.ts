// DataError: a data file could not be read or does not suit the model (missing file, empty file,
// a byte outside the vocabulary). Part of @longshort/tensor's typed-error family (TensorError).
import { TensorError } from '@longshort/tensor';

/**
 * A training or evaluation data source is unusable. `source` names the file or corpus.
 * @example throw new DataError('data/enwik8', 'cannot be read; expected a readable file, got ENOENT.')
 */
export class DataError extends TensorError {
  readonly source: string;

  constructor(source: string, problem: string, options?: { cause?: unknown }) {
    super('BAD_ARGUMENT', 'data', `data: ${source} ${problem}`, options);
    this.name = 'DataError';
    this.source = source;
  }
}
