// @longshort/tensor/testing — helpers for tests and for other backends' conformance runs.
export { compareClose, expectClose, relativeError, type CloseReport, type Tolerance } from './expect-close.js';
export { compositeKernelBackend, gradcheck, gradcheckBackend, type GradcheckOptions } from './gradcheck.js';
export { broadcastPartner, randomAxes, randomBools, randomGenerator, randomIntegers, randomShape, randomValues, seedFor, uniformInt, type ShapeOptions, type ValueOptions } from './arbitraries.js';
export { gradientToleranceFactor, opCases, tolerances, type CaseInput, type OpCase } from './op-cases.js';
export { runConformance, type ConformanceOptions, type ConformanceResult } from './conformance.js';
export { broadcastRead, elementwiseReference, matmulReference, numpyBroadcast, permuteReference, ravel, reduceReference, unravel } from './host-reference.js';
export { compareToFixture, fixtureScale, loadFixture, type Fixture, type FixtureComparison, type FixtureHandler, type FixtureResult } from './fixtures.js';
