/**
 * Reads a Server-Sent Events stream (what OpenAI-compatible servers stream completions as) into
 * the data payloads of its events: `data:` lines joined by newlines, one payload per blank-line
 * terminated event. Comments, `event:`, `id:` and `retry:` fields are skipped.
 *
 * @packageDocumentation
 */

/** An incremental SSE parser: feed it text as it arrives, take out complete event payloads. */
export class SseParser {
  #pending = '';
  #data: string[] = [];

  /** Adds received text; returns the payloads of the events it completed, in order. */
  push(text: string): string[] {
    this.#pending += text;
    const events: string[] = [];
    let start = 0;
    for (let newline = this.#pending.indexOf('\n'); newline >= 0; newline = this.#pending.indexOf('\n', start)) {
      const end = newline > start && this.#pending.charCodeAt(newline - 1) === 0x0d ? newline - 1 : newline;
      this.#line(this.#pending.slice(start, end), events);
      start = newline + 1;
    }
    this.#pending = this.#pending.slice(start);
    return events;
  }

  /** The stream ended: returns the payload of an event left unterminated, if any. */
  end(): string[] {
    const events: string[] = [];
    if (this.#pending.length > 0) this.#line(this.#pending, events);
    this.#pending = '';
    this.#line('', events);
    return events;
  }

  #line(line: string, events: string[]): void {
    if (line.length === 0) {
      if (this.#data.length > 0) events.push(this.#data.join('\n'));
      this.#data = [];
      return;
    }
    if (!line.startsWith('data:')) return;
    this.#data.push(line.charCodeAt(5) === 0x20 ? line.slice(6) : line.slice(5));
  }
}
