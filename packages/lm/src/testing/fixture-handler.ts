// Conformance handler for the `causal-lm` fixtures: runs the authors' segments in order with the
// memories carried over, compares log-probabilities, losses and handed-on memories of every
// segment, and the parameter gradients of the last segment's mean NLL (earlier memories constant).
import { getBackend, narrow, reshape, setBackend, tidy, type Backend, type Tensor } from '@longshort/tensor';
import { compareToFixture, fixtureScale, type Fixture, type FixtureComparison, type FixtureHandler, type FixtureResult } from '@longshort/tensor/testing';
import { fromAuthorsStateDict } from '../transformer-ls/weights.js';
import { TransformerLSModel } from '../transformer-ls/model.js';
import { segmentLoss } from '../transformer-ls/loss.js';
import { configFromFixture } from './fixture-config.js';

async function run(fixture: Fixture, backend: Backend): Promise<FixtureResult> {
  const c = fixture.config as Record<string, number>;
  const previous = getBackend();
  setBackend(backend);
  const model = new TransformerLSModel(configFromFixture(fixture.config));
  setBackend(previous);
  const outputs: FixtureComparison[] = [];
  const gradients: FixtureComparison[] = [];
  try {
    model.eval();
    model.loadStateDict(await fromAuthorsStateDict(new Map([...fixture.tensors].filter(([name]) => !/^(input|output|grad)\./.test(name)))));
    const tokens = fixture.tensors.get('input.tokens')!;
    const L = c.segment_len;
    let memories: Tensor[] = model.initialMemories(c.batch);
    for (let s = 0; s < c.segments; s++) {
      const isLast = s === c.segments - 1;
      const { logProbs, loss, next } = tidy(() => {
        const inputs = narrow(tokens, 1, s * L, L);
        const targets = narrow(tokens, 1, s * L + 1, L);
        const result = model.forward(inputs, memories);
        const segment = segmentLoss(result.logProbs, targets);
        if (isLast) segment.backward();
        return { logProbs: result.logProbs, loss: reshape(segment, [1]), next: result.memories };
      });
      outputs.push(await compareToFixture(fixture, `output.segment${s}.log_probs`, logProbs));
      outputs.push(await compareToFixture(fixture, `output.segment${s}.loss`, loss));
      for (const [layer, memory] of next.entries()) outputs.push(await compareToFixture(fixture, `output.segment${s}.cache.${layer}`, memory));
      for (const t of [logProbs, loss, ...memories]) t.dispose();
      memories = next;
    }
    const last = c.segments - 1;
    const floor = 1e-3 * (await fixtureScale(fixture, 'grad.'));
    for (const [name, parameter] of model.namedParameters()) {
      const key = `grad.segment${last}.${name}`;
      if (fixture.tensors.has(key)) gradients.push(await compareToFixture(fixture, key, parameter.grad!, { floor }));
    }
    for (const t of memories) t.dispose();
    return { outputs, gradients };
  } finally {
    model.dispose();
  }
}

/** Handles the `causal-lm` fixture kind. */
export const fixtureHandler: FixtureHandler = { kinds: ['causal-lm'], run };
