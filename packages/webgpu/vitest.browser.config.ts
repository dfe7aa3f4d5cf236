// Browser tests (`*.browser.test.ts`) in headless Debian Chromium, cross-origin isolated; the
// Node tests run with vitest.config.ts, which excludes these files.
import { browserProject } from '@longshort/vitest-config';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

export default defineConfig(browserProject(playwright));
