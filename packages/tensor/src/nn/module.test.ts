import { describe, expect, it } from 'vitest';
import {
  ConfigError, Dropout, Embedding, Generator, LayerNorm, Linear, Module, ModuleList, Parameter, Sequential, WeightLoadError,
  fromArray, memory, ones, tidy, zeros, type Tensor,
} from '../index.js';

class Attn extends Module {
  readonly proj_key: Linear;
  readonly proj_val: Linear;

  constructor(g: Generator) {
    super();
    this.proj_key = new Linear(4, 4, { generator: g });
    this.proj_val = new Linear(4, 4, { bias: false, generator: g });
    this.registerBuffer('mask', ones([2, 2]));
    this.registerBuffer('cache', zeros([3]), { persistent: false });
  }
}

class Block extends Module {
  readonly attn: Attn;
  readonly ln = new LayerNorm(4);

  constructor(g: Generator) {
    super();
    this.attn = new Attn(g);
  }
}

/** The output layer shares the embedding's weight (like the LM's TiedOutput). */
class TiedHead extends Module {
  readonly bias = new Parameter(zeros([10]));

  constructor(readonly weight: Parameter) {
    super();
  }
}

class Net extends Module {
  readonly config = { layers: 2 };
  readonly wte: Embedding;
  readonly layers: ModuleList<Block>;
  readonly head: TiedHead;
  readonly extra: Linear[];
  readonly scale = fromArray([2], [1]).requireGrad();
  readonly notAParameter = zeros([1]);

  constructor(seed = 0) {
    super();
    const g = new Generator(seed);
    this.wte = new Embedding(10, 4, { generator: g });
    this.layers = new ModuleList([new Block(g), new Block(g)]);
    this.head = new TiedHead(this.wte.weight);
    this.extra = [new Linear(4, 2, { generator: g })];
  }
}

const blockNames = (i: number) => [`layers.${i}.attn.proj_key.weight`, `layers.${i}.attn.proj_key.bias`, `layers.${i}.attn.proj_val.weight`, `layers.${i}.ln.weight`, `layers.${i}.ln.bias`];

const values = (m: Module) => new Map([...m.stateDict()].map(([k, t]) => [k, Array.from(t.dataSync())]));

describe('Module parameter walk', () => {
  it('names parameters with dotted PyTorch keys (nested modules, ModuleList indices, arrays) and lists a tied tensor once', () => {
    const net = new Net();
    const names = net.namedParameters().map(([n]) => n);
    expect(names).toEqual(['scale', 'wte.weight', ...blockNames(0), ...blockNames(1), 'head.bias', 'extra.0.weight', 'extra.0.bias']);
    // head.weight is wte.weight: listed once, under the first name met.
    expect(net.parameters()).toHaveLength(names.length);
    expect(net.namedParameters().find(([n]) => n === 'wte.weight')![1]).toBe(net.head.weight);
    expect(net.numParameters()).toBe(1 + 40 + 2 * (16 + 4 + 16 + 4 + 4) + 10 + 8 + 2);
    net.dispose();
  });

  it('puts a tied tensor under every name and persistent buffers (only) in stateDict', () => {
    const net = new Net();
    const dict = net.stateDict();
    expect([...dict.keys()]).toEqual([
      'scale', 'wte.weight',
      // A module's own buffers come before its children's entries, as in PyTorch.
      'layers.0.attn.mask', ...blockNames(0), 'layers.1.attn.mask', ...blockNames(1),
      'head.weight', 'head.bias', 'extra.0.weight', 'extra.0.bias',
    ]);
    expect(dict.get('head.weight')).toBe(dict.get('wte.weight'));
    expect(net.namedBuffers().map(([n]) => n)).toEqual(['layers.0.attn.mask', 'layers.0.attn.cache', 'layers.1.attn.mask', 'layers.1.attn.cache']);
    expect(net.layers.get(-1).attn.buffer('cache').shape).toEqual([3]);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', 'wte', 'layers', 'layers.0', 'layers.0.attn', 'layers.0.attn.proj_key', 'layers.0.attn.proj_val', 'layers.0.ln',
      'layers.1', 'layers.1.attn', 'layers.1.attn.proj_key', 'layers.1.attn.proj_val', 'layers.1.ln', 'head', 'extra.0']);
    net.dispose();
  });

  it('keeps a frozen Parameter, and does not enter a module cycle twice', () => {
    class Loop extends Module {
      readonly w = new Parameter(ones([2]), false);
      other: Module | null = null;
    }
    const a = new Loop();
    const b = new Loop();
    a.other = b;
    b.other = a;
    expect(a.namedParameters().map(([n]) => n)).toEqual(['w', 'other.w']);
    expect([...a.stateDict().keys()]).toEqual(['w', 'other.w']);
    a.dispose();
  });

  it('owns Parameters and buffers: they survive tidy(), and dispose() frees them all', () => {
    const before = memory().liveTensors;
    const block = tidy(() => new Block(new Generator(0)));
    expect(memory().liveTensors - before).toBe(block.parameters().length + block.namedBuffers().length);
    expect(block.parameters().length + block.namedBuffers().length).toBe(7);
    block.dispose();
    expect(memory().liveTensors).toBe(before);
    const net = new Net();
    net.dispose();
    expect(net.parameters().every((p) => p.isDisposed)).toBe(true);
    net.notAParameter.dispose();
    expect(memory().liveTensors).toBe(before);
  });

  it('validates buffer names and lookups', () => {
    const net = new Net();
    expect(() => net.registerBuffer('a.b', zeros([1]))).toThrow(ConfigError);
    expect(() => net.registerBuffer('wte', zeros([1]))).toThrow(/not a field of the module/);
    expect(() => net.buffer('missing')).toThrow(/Net: 'buffer' is invalid; expected one of \[\]/);
    const first = net.registerBuffer('positions', zeros([2]));
    net.registerBuffer('positions', ones([2]));
    expect(first.isDisposed).toBe(true);
    expect(Array.from(net.buffer('positions').dataSync())).toEqual([1, 1]);
    net.dispose();
  });

  it('zeroGrad frees every gradient', () => {
    const net = new Net();
    for (const p of net.parameters()) p.grad = ones(p.shape);
    const grads = net.parameters().map((p) => p.grad!);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
    expect(grads.every((g) => g.isDisposed)).toBe(true);
    net.dispose();
  });
});

describe('Module state dict', () => {
  it('round-trips: loadStateDict copies values into the same tensors, keeps ties, and does not consume the source', () => {
    const a = new Net(1);
    const b = new Net(2);
    const identity = b.parameters();
    expect(values(b)).not.toEqual(values(a));
    b.loadStateDict(a.stateDict());
    expect(values(b)).toEqual(values(a));
    expect(b.parameters()).toEqual(identity);
    expect(b.parameters().every((p, i) => p === identity[i])).toBe(true);
    expect(b.head.weight).toBe(b.wte.weight);
    expect([...a.stateDict().values()].every((t) => !t.isDisposed)).toBe(true);
    a.dispose();
    b.dispose();
  });

  it('loads from a plain object, casting dtypes', () => {
    const net = new Net();
    const record: Record<string, Tensor> = {};
    for (const [k, t] of net.stateDict()) record[k] = fromArray(Array.from({ length: t.size }, (_, i) => i / 8), t.shape, 'f64');
    const before = memory().liveTensors;
    expect(net.loadStateDict(record)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(memory().liveTensors).toBe(before);
    expect(net.wte.weight.dtype).toBe('f32');
    expect(Array.from(net.layers.get(1).ln.bias!.dataSync())).toEqual([0, 0.125, 0.25, 0.375]);
    for (const t of Object.values(record)) t.dispose();
    net.dispose();
  });

  it('lists every missing, unexpected and mis-shaped key at once and changes nothing', () => {
    const net = new Net();
    const dict = new Map(net.stateDict());
    dict.delete('layers.1.ln.bias');
    dict.delete('extra.0.bias');
    const wrong = zeros([5, 4]);
    const extra = zeros([1]);
    dict.set('wte.weight', wrong);
    dict.set('layers.0.attn.proj_query.weight', extra);
    const before = values(net);
    let error: unknown;
    try {
      net.loadStateDict(dict);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WeightLoadError);
    const { problems, message } = error as WeightLoadError;
    expect(problems.missing).toEqual(['layers.1.ln.bias', 'extra.0.bias']);
    expect(problems.unexpected).toEqual(['layers.0.attn.proj_query.weight']);
    expect(problems.misshaped).toEqual([{ key: 'wte.weight', expected: [10, 4], actual: [5, 4] }]);
    expect(message).toMatch(/missing keys: layers\.1\.ln\.bias, extra\.0\.bias/);
    expect(message).toMatch(/unexpected keys: layers\.0\.attn\.proj_query\.weight/);
    expect(message).toMatch(/key 'wte\.weight' has shape \(5,4\); expected \(10,4\)/);
    expect(values(net)).toEqual(before);

    dict.set('wte.weight', net.wte.weight);
    expect(() => net.loadStateDict(dict)).toThrow(WeightLoadError);
    expect(net.loadStateDict(dict, { strict: false })).toEqual({ missingKeys: ['layers.1.ln.bias', 'extra.0.bias'], unexpectedKeys: ['layers.0.attn.proj_query.weight'] });
    dict.set('scale', zeros([2]));
    expect(() => net.loadStateDict(dict, { strict: false })).toThrow(/key 'scale' has shape \(2,\); expected \(1,\)/);
    wrong.dispose();
    extra.dispose();
    net.dispose();
  });
});

describe('training mode', () => {
  it('train()/eval() reach every module, and Dropout is the identity in eval mode', () => {
    const g = new Generator(3);
    const model = new Sequential(new Linear(6, 6, { generator: g }), new Dropout(0.5, { generator: g }));
    const x = fromArray(Array.from({ length: 12 }, (_, i) => i + 1), [2, 6]);
    expect(model.eval()).toBe(model);
    expect(model.namedModules().every(([, m]) => !m.training)).toBe(true);
    const dense = model.get(0).forward(x);
    expect(Array.from(model.forward(x).dataSync())).toEqual(Array.from(dense.dataSync()));
    model.train();
    expect(model.namedModules().every(([, m]) => m.training)).toBe(true);
    const dropped = Array.from(model.forward(x).dataSync());
    const kept = Array.from(dense.dataSync()).map((v) => v * 2);
    expect(dropped.some((v) => v === 0)).toBe(true);
    dropped.forEach((v, i) => expect(v === 0 || Math.abs(v - kept[i]) < 1e-5).toBe(true));
    model.dispose();
  });
});
