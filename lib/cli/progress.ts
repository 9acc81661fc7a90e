/**
 * The progress line a run shows on a terminal: samples done of issued, those outstanding (issued,
 * not completed: a count that stops falling points at a stuck backend), tokens/s, ETA.
 *
 * @packageDocumentation
 */
import type { SutProgress } from '../llm/sut.js';

/** Formats one progress line. `expectedSamples` is the run's total when known (accuracy runs). */
export function progressLine(
  progress: Readonly<SutProgress>,
  elapsedSeconds: number,
  expectedSamples?: number,
): string {
  const tokensPerSecond = elapsedSeconds > 0 ? progress.generatedTokens / elapsedSeconds : 0;
  let eta = '';
  if (expectedSamples !== undefined && progress.completed > 0 && progress.completed < expectedSamples) {
    const remaining = ((expectedSamples - progress.completed) * elapsedSeconds) / progress.completed;
    eta = ` · ETA ${remaining < 60 ? `${remaining.toFixed(0)} s` : `${(remaining / 60).toFixed(1)} min`}`;
  }
  const of = expectedSamples !== undefined ? `/${expectedSamples}` : '';
  const outstanding = progress.issued - progress.completed;
  return `samples ${progress.completed}${of} done (${progress.issued} issued, ${outstanding} outstanding, ${progress.inFlight} generating) · ${tokensPerSecond.toFixed(1)} tokens/s · ${elapsedSeconds.toFixed(0)} s${eta}`;
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
