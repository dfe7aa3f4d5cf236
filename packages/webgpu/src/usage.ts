// WebGPU flag values from the spec (GPUBufferUsage, GPUMapMode). The global objects exist in
// browsers but not in Node unless the caller installs Dawn's globals, so the backend uses these.

export const bufferUsage = {
  mapRead: 0x0001,
  copySrc: 0x0004,
  copyDst: 0x0008,
  uniform: 0x0040,
  storage: 0x0080,
} as const;

export const mapModeRead = 0x0001;
