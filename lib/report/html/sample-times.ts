/**
 * The chart data of the HTML report, from `sample_times.json` (each sample's issue, first-token
 * and completion time as the harness saw them): latency, TTFT and TPOT distributions, and
 * tokens/s and samples in flight over time.
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../../errors.js';

/** One sample: ms from the run's start. */
export interface SampleTimes {
  issuedMs: number;
  firstTokenMs: number | null;
  completedMs: number;
  tokens: number;
}

/** Reads a run folder's sample_times.json; undefined when the run has none (written before the harness kept them). */
export function readSampleTimes(dir: string): SampleTimes[] | undefined {
  const path = join(dir, 'sample_times.json');
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CodedError(
      'ERR_REPORT_BAD_FILE',
      `${path} is not valid JSON (${(error as Error).message}); run again to rewrite it`,
    );
  }
  const samples = (parsed as { samples?: unknown }).samples;
  if (!Array.isArray(samples)) {
    throw new CodedError(
      'ERR_REPORT_BAD_FILE',
      `${path} has no "samples" array; it was not written by "mlperf-llm run"`,
    );
  }
  return samples.map((row, i) => {
    const [issuedMs, firstTokenMs, completedMs, tokens] = row as unknown[];
    if (typeof issuedMs !== 'number' || typeof completedMs !== 'number' || typeof tokens !== 'number') {
      throw new CodedError(
        'ERR_REPORT_BAD_FILE',
        `${path}: sample ${i} is not [issuedMs, firstTokenMs, completedMs, tokens]`,
      );
    }
    return { issuedMs, firstTokenMs: typeof firstTokenMs === 'number' ? firstTokenMs : null, completedMs, tokens };
  });
}

/** A histogram: bin `i` spans edges[i]..edges[i+1]. */
export interface Histogram {
  edges: number[];
  counts: number[];
}

/** A series over time: x in seconds from the run's start. */
export interface TimeSeries {
  x: number[];
  y: number[];
}

/** What one run's charts show. */
export interface RunCharts {
  latencyMs: number[];
  ttftMs: number[];
  tpotMs: number[];
  tokensPerSecond: TimeSeries;
  inFlight: TimeSeries;
}

/** Per-sample values of the three distributions. */
export function distributions(samples: readonly SampleTimes[]): Pick<RunCharts, 'latencyMs' | 'ttftMs' | 'tpotMs'> {
  const latencyMs = samples.map((s) => s.completedMs - s.issuedMs);
  const ttftMs: number[] = [];
  const tpotMs: number[] = [];
  for (const s of samples) {
    if (s.firstTokenMs === null) continue;
    ttftMs.push(s.firstTokenMs - s.issuedMs);
    // MLPerf's TPOT: the time after the first token, per token after the first.
    if (s.tokens > 1) tpotMs.push((s.completedMs - s.firstTokenMs) / (s.tokens - 1));
  }
  return { latencyMs, ttftMs, tpotMs };
}

/** Counts of `values` in `bins` equal bins over [min, max] (a single bin around a constant). */
export function histogram(values: readonly number[], bins: number, range?: readonly [number, number]): Histogram {
  let [min, max] = range ?? [Math.min(...values), Math.max(...values)];
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { edges: [], counts: [] };
  if (max <= min) {
    min -= 0.5;
    max += 0.5;
  }
  const width = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => min + i * width);
  const counts = new Array<number>(bins).fill(0);
  for (const value of values) counts[Math.min(bins - 1, Math.max(0, Math.floor((value - min) / width)))]!++;
  return { edges, counts };
}

/** The time bins of a run: about `points` of them over its length, none shorter than 10 ms. */
function timeBins(samples: readonly SampleTimes[], points: number): { width: number; count: number } {
  const end = Math.max(1, ...samples.map((s) => s.completedMs));
  const width = Math.max(10, end / points);
  return { width, count: Math.ceil(end / width) };
}

/**
 * Tokens per second over time: each sample's first token at its first-token time, the rest
 * spread evenly until its completion (the harness sees no times for tokens in between).
 */
export function tokensPerSecond(samples: readonly SampleTimes[], points = 120): TimeSeries {
  const { width, count } = timeBins(samples, points);
  const tokens = new Array<number>(count).fill(0);
  const add = (at: number, amount: number): void => {
    tokens[Math.min(count - 1, Math.max(0, Math.floor(at / width)))]! += amount;
  };
  for (const s of samples) {
    if (s.tokens === 0) continue;
    const first = s.firstTokenMs ?? s.completedMs;
    add(first, 1);
    const rest = s.tokens - 1;
    if (rest === 0) continue;
    const span = s.completedMs - first;
    if (span <= 0) {
      add(s.completedMs, rest);
      continue;
    }
    // The rest's share of each bin the span overlaps.
    for (let bin = Math.floor(first / width); bin * width < s.completedMs && bin < count; bin++) {
      const overlap = Math.min(s.completedMs, (bin + 1) * width) - Math.max(first, bin * width);
      if (overlap > 0) tokens[bin]! += (rest * overlap) / span;
    }
  }
  return {
    x: tokens.map((_, i) => ((i + 0.5) * width) / 1000),
    y: tokens.map((n) => n / (width / 1000)),
  };
}

/** Samples issued and not yet completed (queued in the SUT or generating): the most in each time bin. */
export function inFlight(samples: readonly SampleTimes[], points = 240): TimeSeries {
  const { width, count } = timeBins(samples, points);
  const events = samples.flatMap((s) => [
    [s.issuedMs, 1],
    [s.completedMs, -1],
  ]);
  // Completions before issues at the same instant, so a sample handed straight on is not counted twice.
  events.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  const most = new Array<number>(count).fill(0);
  let current = 0;
  let next = 0;
  for (let bin = 0; bin < count; bin++) {
    let peak = current;
    while (next < events.length && events[next]![0]! < (bin + 1) * width) {
      current += events[next]![1]!;
      peak = Math.max(peak, current);
      next++;
    }
    most[bin] = peak;
  }
  return { x: most.map((_, i) => ((i + 0.5) * width) / 1000), y: most };
}

/** All of one run's chart data. */
export function runCharts(samples: readonly SampleTimes[]): RunCharts {
  return { ...distributions(samples), tokensPerSecond: tokensPerSecond(samples), inFlight: inFlight(samples) };
}
