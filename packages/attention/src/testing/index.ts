// @longshort/attention/testing — the conformance handler for the attention fixture kinds.
export { fixtureHandler } from './fixture-handler.js';
