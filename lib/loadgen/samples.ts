/**
 * `QuerySample` and `QuerySampleResponse`, as in LoadGen's Python binding.
 *
 * @packageDocumentation
 */

/**
 * One sample of a query LoadGen issued. `id` is an opaque response id: hand it back unchanged
 * when completing the sample. `index` is the sample's index in the QSL.
 */
export class QuerySample {
  /**
   * @param id - the response id LoadGen issued (an integer, exact in a double)
   * @param index - the sample's index in the query sample library
   */
  constructor(
    public id = 0,
    public index = 0,
  ) {}
}

/**
 * The answer to one sample. Unlike Python, where `data` is a raw address, `data` is the bytes
 * themselves (any TypedArray, Buffer or DataView); `size` defaults to their length and may be
 * smaller to send a prefix. `QuerySampleResponse(id, 0, 0)`, a Python null SUT's line, means no
 * data, as there. `n_tokens` is the number of generated tokens (LLM benchmarks with
 * `use_token_latencies`; LoadGen expects at least 2 there).
 */
export class QuerySampleResponse {
  /**
   * @param id - the sample's response id, from {@link QuerySample.id}
   * @param data - the response bytes (LoadGen copies what it keeps during the completion call);
   *   null or 0 for none
   * @param size - how many bytes of `data` to send; default all of them
   * @param n_tokens - number of generated tokens; default 0
   */
  constructor(
    public id = 0,
    public data: ArrayBufferView | null | 0 = null,
    public size: number = data === 0 ? 0 : (data?.byteLength ?? 0),
    public n_tokens = 0,
  ) {}
}
