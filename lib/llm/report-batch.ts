/**
 * The (id, tokens) reports of one event-loop turn, packed the way LoadGen's batched completion
 * calls take them (one id array, one data buffer, byte offsets, token counts).
 *
 * @packageDocumentation
 */

/**
 * The (id, tokens) reports of one event-loop turn, packed as LoadGen's batched calls take them.
 * Tokens are copied in as they arrive (backends may reuse their arrays). The buffers serve turn
 * after turn: LoadGen copies what it keeps before its call returns.
 */
export class ReportBatch {
  #ids = new Float64Array(64);
  #counts = new Int32Array(64);
  #offsets = new Uint32Array(65);
  #data = new Int32Array(1024);
  #size = 0;
  /** Int32s of #data in use. */
  #used = 0;

  get size(): number {
    return this.#size;
  }

  add(id: number, tokens: Int32Array): void {
    const index = this.#size;
    if (index === this.#ids.length) {
      this.#ids = grown(this.#ids, index * 2);
      this.#counts = grown(this.#counts, index * 2);
      this.#offsets = grown(this.#offsets, index * 2 + 1);
    }
    if (this.#used + tokens.length > this.#data.length)
      this.#data = grown(this.#data, Math.max(this.#data.length * 2, this.#used + tokens.length));
    this.#ids[index] = id;
    this.#counts[index] = tokens.length;
    this.#offsets[index] = this.#used * 4;
    this.#data.set(tokens, this.#used);
    this.#used += tokens.length;
    this.#size = index + 1;
  }

  /** Empties the batch; the views it returns stay valid until the next add. */
  take(): { ids: Float64Array; data: Int32Array; offsets: Uint32Array; counts: Int32Array } {
    const size = this.#size;
    this.#offsets[size] = this.#used * 4;
    const taken = {
      ids: this.#ids.subarray(0, size),
      data: this.#data.subarray(0, this.#used),
      offsets: this.#offsets.subarray(0, size + 1),
      counts: this.#counts.subarray(0, size),
    };
    this.#size = 0;
    this.#used = 0;
    return taken;
  }
}

function grown<T extends Float64Array | Int32Array | Uint32Array>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array as ArrayLike<number>);
  return next;
}
