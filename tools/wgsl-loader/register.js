// Lets Node import `.wgsl` files as text (a default-exported string), as the tsup build and the
// vitest plugin do, so workspace scripts can run @longshort/webgpu from its sources
// (`node --conditions=@longshort/source --import tsx --import <this file> …`).
import { register } from 'node:module';

register('./hooks.js', import.meta.url);
