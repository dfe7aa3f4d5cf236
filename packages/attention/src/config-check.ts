// Shared validation for attention configurations (typed ConfigError naming value and expectation).
import { ConfigError } from '@longshort/tensor';

export function requirePositiveInt(module: string, key: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(module, key, 'a positive integer', String(value));
}

export function requireNonNegativeInt(module: string, key: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(module, key, 'a non-negative integer', String(value));
}
