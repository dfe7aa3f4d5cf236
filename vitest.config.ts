// Tests of the repository scripts in tools/ (the packages have their own configs), run on package
// sources through the `@longshort/source` condition like every package's tests.
import { nodeProject } from '@longshort/vitest-config';
import { defineConfig } from 'vitest/config';

export default defineConfig(nodeProject({ test: { include: ['tools/**/*.test.ts'] } }));
