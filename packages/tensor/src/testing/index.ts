// @longshort/tensor/testing — helpers for tests and for other backends' conformance runs.
export { compareClose, expectClose, relativeError, type CloseReport, type Tolerance } from './expect-close.js';
export { gradcheck, gradcheckBackend, type GradcheckOptions } from './gradcheck.js';
