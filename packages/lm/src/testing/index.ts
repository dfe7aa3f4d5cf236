// @longshort/lm/testing — the conformance handler for the causal-lm fixture kind.
export { fixtureHandler } from './fixture-handler.js';
