import { TensorError, formatShape } from './tensor-error.js';

export interface WeightProblems {
  missing: string[];
  unexpected: string[];
  misshaped: { key: string; expected: number[]; actual: number[] }[];
}

/** A state dict did not fit a module: lists every missing, unexpected and mis-shaped key at once. */
export class WeightLoadError extends TensorError {
  readonly problems: WeightProblems;

  constructor(model: string, problems: WeightProblems) {
    const code = problems.missing.length ? 'MISSING_KEY' : problems.misshaped.length ? 'WEIGHT_SHAPE' : 'UNEXPECTED_KEY';
    const lines: string[] = [];
    if (problems.missing.length) lines.push(`missing keys: ${problems.missing.join(', ')}`);
    if (problems.unexpected.length) lines.push(`unexpected keys: ${problems.unexpected.join(', ')}`);
    for (const m of problems.misshaped) lines.push(`key '${m.key}' has shape ${formatShape(m.actual)}; expected ${formatShape(m.expected)}`);
    super(code, model, `${model} weights: the state dict does not fit the module.\n  ${lines.join('\n  ')}`);
    this.name = 'WeightLoadError';
    this.problems = problems;
  }
}
