/**
 * The progress line a run shows on a terminal: samples done of issued, those outstanding (issued,
 * not completed: a count that stops falling points at a stuck backend), tokens/s, ETA.
 *
 * @packageDocumentation
 */
import type { ProgressPlan } from '../llm/progress-plan.js';
import type { SutProgress } from '../llm/sut.js';

function formatSeconds(seconds: number): string {
  return seconds < 60 ? `${seconds.toFixed(0)} s` : `${(seconds / 60).toFixed(1)} min`;
}

/**
 * Seconds left, from the rate so far: accuracy runs end with their last sample; performance runs
 * once both LoadGen minimums are met and every issued sample is done (Offline issues all at once).
 */
function remainingSeconds(progress: Readonly<SutProgress>, elapsed: number, plan: ProgressPlan): number | undefined {
  if (progress.completed === 0 || elapsed <= 0) return undefined;
  const perSample = elapsed / progress.completed;
  if (plan.samples !== undefined) return (plan.samples - progress.completed) * perSample;
  if (plan.minDurationSeconds === undefined && plan.minQueryCount === undefined) return undefined;
  const samples = Math.max(plan.minQueryCount ?? 0, progress.issued);
  const bySamples = Math.max(0, samples - progress.completed) * perSample;
  return Math.max(bySamples, (plan.minDurationSeconds ?? 0) - elapsed);
}

/** Formats one progress line. */
export function progressLine(progress: Readonly<SutProgress>, elapsedSeconds: number, plan: ProgressPlan = {}): string {
  // Before the first token (an Offline run's first prefills) there is no rate to show yet.
  const rate =
    progress.generatedTokens > 0 && elapsedSeconds > 0
      ? `${(progress.generatedTokens / elapsedSeconds).toFixed(1)} tokens/s`
      : 'waiting for the first tokens';
  const remaining = remainingSeconds(progress, elapsedSeconds, plan);
  const eta = remaining !== undefined && remaining > 0 ? ` · ETA ${formatSeconds(remaining)}` : '';
  const of = plan.samples !== undefined ? `/${plan.samples}` : '';
  const outstanding = progress.issued - progress.completed;
  return `samples ${progress.completed}${of} done (${progress.issued} issued, ${outstanding} outstanding, ${progress.inFlight} generating) · ${rate} · ${elapsedSeconds.toFixed(0)} s${eta}`;
}

/** Rewrites one line on a TTY; does nothing elsewhere (logs stay clean). */
export class ProgressLine {
  readonly #stream: NodeJS.WriteStream;
  #shown = false;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
  }

  update(text: string): void {
    if (!this.#stream.isTTY) return;
    const width = Math.max(20, (this.#stream.columns ?? 100) - 1);
    this.#stream.write(`\r${text.slice(0, width).padEnd(width)}`);
    this.#shown = true;
  }

  /** Prints a line of its own on stderr (on a TTY, above the progress line). */
  note(text: string): void {
    if (this.#shown) this.#stream.write(`\r${' '.repeat(Math.max(20, (this.#stream.columns ?? 100) - 1))}\r`);
    this.#shown = false;
    this.#stream.write(`${text}\n`);
  }

  done(): void {
    if (this.#shown) this.#stream.write('\n');
    this.#shown = false;
  }
}
