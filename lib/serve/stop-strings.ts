/**
 * The `stop` parameter: generation ends where the text first contains one of the stop strings,
 * and the answer's text ends just before it. While streaming, text that might be the start of a
 * stop string is held back until the next tokens show whether it is.
 *
 * @packageDocumentation
 */

/** A set of stop strings (empty strings are ignored). */
export class StopStrings {
  readonly #stops: readonly string[];
  /** The length of the longest stop string (0 without any). */
  readonly maxLength: number;

  constructor(stops: readonly string[]) {
    this.#stops = stops.filter((stop) => stop.length > 0);
    this.maxLength = this.#stops.reduce((longest, stop) => Math.max(longest, stop.length), 0);
  }

  /** Whether there are any stop strings. */
  get empty(): boolean {
    return this.#stops.length === 0;
  }

  /** The earliest stop string in `text` starting at or after `from`: where it starts and ends. */
  find(text: string, from: number): { start: number; end: number } | undefined {
    let first: { start: number; end: number } | undefined;
    for (const stop of this.#stops) {
      const start = text.indexOf(stop, from);
      if (start >= 0 && (first === undefined || start < first.start)) first = { start, end: start + stop.length };
    }
    return first;
  }

  /** How many characters at the end of `text` could be the beginning of a stop string. */
  partialTail(text: string): number {
    let tail = 0;
    for (const stop of this.#stops) {
      for (let k = Math.min(stop.length - 1, text.length); k > tail; k--) {
        if (text.endsWith(stop.slice(0, k))) {
          tail = k;
          break;
        }
      }
    }
    return tail;
  }
}
