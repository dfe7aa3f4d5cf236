import { TensorError } from './tensor-error.js';

/** A file (safetensors, PyTorch checkpoint) is malformed, truncated or of an unsupported kind. */
export class FileFormatError extends TensorError {
  readonly format: string;

  constructor(code: 'MALFORMED_FILE' | 'UNSUPPORTED_FORMAT', format: string, message: string, options?: { cause?: unknown }) {
    super(code, format, `${format}: ${message}`, options);
    this.name = 'FileFormatError';
    this.format = format;
  }
}
