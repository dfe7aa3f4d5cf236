// Initialisation for training from scratch (spec B.9, the authors' fairseq model): Linear and
// Embedding weights N(0, 0.02), biases 0, LayerNorm weights N(1, 0.02) (biases 0), and the
// attention's r_w_bias / r_r_bias N(0, 0.02).
import { LayerNorm, init, noGrad, tidy, zerosLike, type Generator, type Module, type Tensor } from '@longshort/tensor';

const STD = 0.02;

/**
 * Re-draws every parameter of `model` in place as the authors initialise a model for training.
 * @example initializeForTraining(model, new Generator(seed));
 */
export function initializeForTraining(model: Module, generator: Generator): void {
  const layerNormWeights = new Set<Tensor>(model.namedModules().flatMap(([, m]) => (m instanceof LayerNorm && m.weight ? [m.weight] : [])));
  for (const [name, param] of model.namedParameters()) {
    const leaf = name.slice(name.lastIndexOf('.') + 1);
    noGrad(() => tidy(() => {
      const options = { generator, backend: param.backend };
      if (layerNormWeights.has(param)) param.assign(init.normal(param.shape, { ...options, mean: 1, std: STD }));
      else if (leaf === 'bias') param.assign(zerosLike(param));
      else param.assign(init.normal(param.shape, { ...options, std: STD }));
    }));
  }
}
