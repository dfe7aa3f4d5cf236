// The public API of the file-format layer: raw tensors, safetensors files and torch.save
// checkpoints (https://github.com/huggingface/safetensors#format, torch/serialization.py).

export {
  decodeRaw,
  encodeRaw,
  isFileDType,
  FILE_DTYPE_SIZES,
  type DecodedDType,
  type DecodedTensor,
  type DecodeOptions,
  type EncodeDType,
  type FileDType,
  type RawTensor,
} from './raw-tensor.js';
export { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits, f8E4M3BitsToF32, f8E5M2BitsToF32 } from './float-bits.js';
export type { ByteSource } from './byte-source.js';
export {
  parseSafetensors,
  readSafetensorsFrom,
  serializeSafetensors,
  writeSafetensorsFile,
  type NamedRawTensors,
  type SafetensorsContents,
} from './safetensors.js';
export { readTorchCheckpoint, readTorchCheckpointFrom, type TorchCheckpoint } from './pytorch/checkpoint.js';
export { flattenStateDict, type FlattenOptions } from './pytorch/state-dict.js';
export { isTorchTensor, type TorchTensor } from './pytorch/torch-globals.js';
export { isPickleGlobal, unpickle, type PickleGlobal, type UnpickleOptions, type GlobalInterpreter } from './pytorch/pickle.js';
export { loadSafetensors, saveSafetensors, toSafetensors, loadTorchCheckpoint, type LoadOptions } from './tensors.js';
