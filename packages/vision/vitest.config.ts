// `passWithNoTests` only while this package is a skeleton: remove it with the first test file.
import { nodeProject } from '@longshort/vitest-config';
import { defineConfig } from 'vitest/config';

export default defineConfig(nodeProject({ test: { passWithNoTests: true } }));
