// Connects the Tensor methods that need ops (reads of strided views, backward) to them.
import { backward } from '../tape/backward.js';
import { noGrad } from '../tape/grad-mode.js';
import { wireTensorMethods } from '../tensor.js';
import { contiguous } from './contiguous/contiguous.js';

wireTensorMethods((t) => noGrad(() => contiguous(t)), backward);
