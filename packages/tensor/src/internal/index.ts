// @longshort/tensor/internal — unstable helpers for backend and kernel authors.
export { FunctionBuilder, ModuleBuilder, type Label, type Local, type MemoryImport, type ValType } from '../backends/wasm/emitter.js';
export { Temps, emitExp, emitGemm, gemmScratchBytes, kernelModuleBuilder, type GemmShape } from '../backends/wasm/kit.js';
