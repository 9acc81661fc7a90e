#!/usr/bin/env node
/**
 * `mlperf-llm`: the MLPerf Llama-3.1-8B benchmark harness on the official LoadGen.
 *
 * The program is imported dynamically: a native addon that cannot load fails while modules are
 * being evaluated, before any handler runs, and its message (what this machine is, what was
 * tried, the command that fixes it) is the whole answer, so it is printed without a stack trace.
 *
 * @packageDocumentation
 */
try {
  const { runProgram } = await import('./program.js');
  await runProgram(process.argv);
} catch (error) {
  if ((error as { code?: unknown } | undefined)?.code !== 'ERR_LOADGEN_NATIVE_LOAD_FAILED') throw error;
  console.error(`mlperf-llm: ${(error as Error).message}`);
  process.exit(1);
}
