// Lints the repository scripts in tools/ (each package and app has its own eslint.config.js).
import { config } from '@longshort/eslint-config';

export default config('app');
