// ModuleList (torch.nn.ModuleList): a container whose items are named by their index
// (`layers.0.…`), so that state-dict keys match PyTorch's.
import { ConfigError } from '../errors/index.js';
import { Module } from './module.js';

/**
 * A list of modules, registered as children named 0, 1, ….
 * @example this.layers = new ModuleList(Array.from({ length: 6 }, () => new Block(config)));
 */
export class ModuleList<T extends Module = Module> extends Module {
  readonly modules: T[];

  constructor(modules: Iterable<T> = []) {
    super();
    this.modules = [...modules];
  }

  get length(): number {
    return this.modules.length;
  }

  /** The item at `index` (negative counts from the end). @example layers.get(-1) */
  get(index: number): T {
    const i = index < 0 ? index + this.modules.length : index;
    if (!Number.isInteger(i) || i < 0 || i >= this.modules.length) {
      throw new ConfigError('ModuleList', 'index', `an integer in [${-this.modules.length}, ${this.modules.length})`, String(index));
    }
    return this.modules[i];
  }

  /** Appends modules. Returns this. @example layers.push(new Block(config)) */
  push(...modules: T[]): this {
    this.modules.push(...modules);
    return this;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.modules[Symbol.iterator]();
  }

  protected override members(): [string, unknown][] {
    return this.modules.map((m, i) => [String(i), m]);
  }
}
