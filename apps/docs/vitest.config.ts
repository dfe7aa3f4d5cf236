import { nodeProject } from '@longshort/vitest-config';
import { defineConfig } from 'vitest/config';

export default defineConfig(nodeProject());
