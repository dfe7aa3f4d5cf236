// Conformance handler for the authors' attention fixtures (fixtures/reference): builds the module
// from the fixture's config, loads its parameters by the authors' state-dict names, runs forward
// and backward of sum(y · grad_output) and compares every output.* and grad.* tensor.
import { getBackend, mul, setBackend, sum, tidy, type Backend, type Tensor } from '@longshort/tensor';
import { compareToFixture, fixtureScale, type Fixture, type FixtureComparison, type FixtureHandler, type FixtureResult } from '@longshort/tensor/testing';
import { LongShortAttention } from '../long-short/bidirectional.js';
import { LongShortAttention2D } from '../long-short/two-d.js';

interface AttentionModule {
  stateDict(): Map<string, Tensor>;
  loadStateDict(dict: Map<string, Tensor>): void;
  namedParameters(): [string, Tensor][];
  dispose(): void;
}

/** The fixture's parameters and buffers: every tensor not named input.*, output.* or grad.*. */
function parameters(fixture: Fixture): Map<string, Tensor> {
  return new Map([...fixture.tensors].filter(([name]) => !/^(input|output|grad)\./.test(name)));
}

function build(fixture: Fixture): { module: AttentionModule; forward: (x: Tensor) => Tensor } {
  const c = fixture.config as Record<string, number & string & boolean>;
  if (fixture.kind === 'bidirectional-attention') {
    const module = new LongShortAttention({
      dim: c.dim, numHeads: c.num_heads, numLandmarks: c.num_landmarks, windowSize: Math.max(c.window_size, 0),
      poolingMode: c.pooling_mode === 'cls' ? 'cls' : 'mean', layerNormEps: c.layer_norm_eps,
    });
    const mask = fixture.tensors.get('input.mask');
    return { module, forward: (x) => module.forward(x, mask) };
  }
  const module = new LongShortAttention2D({
    dim: c.dim, numHeads: c.num_heads, numGlobal: c.nglo, rank: c.dp_rank, window: c.window, rpe: c.rpe, qkvBias: c.qkv_bias,
    layerNormEps: c.layer_norm_eps,
  });
  return { module, forward: (x) => module.forward(x, c.nx) };
}

async function run(fixture: Fixture, backend: Backend): Promise<FixtureResult> {
  const previous = getBackend();
  setBackend(backend);
  const { module, forward } = build(fixture);
  setBackend(previous);
  try {
    module.loadStateDict(parameters(fixture));
    const x = fixture.tensors.get('input.x')!.detach().requireGrad();
    const y = tidy(() => {
      const out = forward(x);
      sum(mul(out, fixture.tensors.get('input.grad_output')!)).backward();
      return out;
    });
    const outputs = [await compareToFixture(fixture, 'output.y', y)];
    const floor = 1e-3 * (await fixtureScale(fixture, 'grad.'));
    const gradients: FixtureComparison[] = [await compareToFixture(fixture, 'grad.input.x', x.grad!, { floor })];
    for (const [name, parameter] of module.namedParameters()) {
      if (!fixture.tensors.has(`grad.${name}`)) continue;
      gradients.push(await compareToFixture(fixture, `grad.${name}`, parameter.grad!, { floor }));
    }
    y.dispose();
    x.dispose();
    return { outputs, gradients };
  } finally {
    module.dispose();
  }
}

/** Handles the `bidirectional-attention` and `vision-attention` fixture kinds. */
export const fixtureHandler: FixtureHandler = { kinds: ['bidirectional-attention', 'vision-attention'], run };
