import { config } from '@longshort/eslint-config';

export default config('app');
