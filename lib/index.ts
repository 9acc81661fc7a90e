/**
 * mlperf-loadgen-node: the official MLCommons LoadGen for Node.js.
 *
 * @packageDocumentation
 */
export * from './loadgen/index.js';
export * from './report/index.js';
