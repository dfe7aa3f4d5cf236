// The WebGPU kernel tests (src/webgpu/) run for real on Dawn (npm `webgpu`) with the SwiftShader
// Vulkan adapter. Dawn reads these variables when it loads, so they must be set here, in the main
// process, before any worker starts (docs/toolchain.md "WebGPU without a GPU"); values already in
// the environment win. The package's test script runs src/webgpu/ apart, one file at a time: two Dawn
// instances beside the wasm tests' thread pools once crashed a worker on the 2-core CI machine.
import { nodeProject } from '@longshort/vitest-config';
import { defineConfig } from 'vitest/config';

process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
process.env.XDG_RUNTIME_DIR ??= '/tmp';

export default defineConfig(nodeProject());
