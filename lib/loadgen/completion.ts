/**
 * Completing samples: the Python-style calls taking response objects, and the batched calls
 * taking typed arrays (no per-sample objects, one data buffer) for high rates.
 *
 * @packageDocumentation
 */
import { native } from './native.js';
import type { QuerySampleResponse } from './samples.js';
import { codedTypeError, describeValue } from '../errors.js';

/** A response in the shape of {@link QuerySampleResponse}; plain objects are fine. */
export type ResponseLike = Pick<QuerySampleResponse, 'id'> &
  Partial<Pick<QuerySampleResponse, 'data' | 'size' | 'n_tokens'>>;

interface PackedResponses {
  /** Reused scratch array: only the first `count` entries belong to this call. */
  ids: Float64Array;
  count: number;
  data: Uint8Array | null;
  offsets: Uint32Array | null;
  nTokens: Int32Array | null;
}

function bytesOf(response: ResponseLike, index: number, caller: string): Uint8Array | null {
  const { data } = response;
  // 0 is Python's null address: `QuerySampleResponse(id, 0, 0)`.
  if (data === null || data === undefined || data === 0) {
    if (response.size !== undefined && response.size !== 0) {
      throw codedTypeError(
        'ERR_INVALID_ARG_TYPE',
        `${caller}: responses[${index}].size is ${response.size} but it has no data`,
      );
    }
    return null;
  }
  if (!ArrayBuffer.isView(data)) {
    throw codedTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${caller}: responses[${index}].data must be a TypedArray, Buffer or DataView (got ${describeValue(data)})`,
    );
  }
  const size = response.size ?? data.byteLength;
  if (!Number.isInteger(size) || size < 0 || size > data.byteLength) {
    throw codedTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${caller}: responses[${index}].size must be an integer from 0 to data.byteLength (${data.byteLength}); got ${describeValue(size)}`,
    );
  }
  return new Uint8Array(data.buffer, data.byteOffset, size);
}

// Ids of the Python-style calls go through one reused array: the native call is synchronous
// and LoadGen is done with it when the call returns, so nothing outlives a call.
let scratchIds = new Float64Array(64);

function idsScratch(count: number): Float64Array {
  if (scratchIds.length < count) scratchIds = new Float64Array(Math.max(count, scratchIds.length * 2));
  return scratchIds;
}

/** Packs response objects into the typed arrays the native call takes (one copy of the bytes). */
function pack(responses: ArrayLike<ResponseLike>, caller: string, withTokens: boolean): PackedResponses {
  if (responses === null || typeof responses !== 'object' || typeof responses.length !== 'number') {
    throw codedTypeError(
      'ERR_INVALID_ARG_TYPE',
      `${caller}: responses must be an array of QuerySampleResponse (got ${describeValue(responses)})`,
    );
  }
  const count = responses.length;
  const ids = idsScratch(count);
  let nTokens: Int32Array | null = null;
  let views: (Uint8Array | null)[] | null = null;
  let totalBytes = 0;
  for (let i = 0; i < count; i++) {
    const response = responses[i]!;
    if (response === null || typeof response !== 'object' || typeof response.id !== 'number') {
      throw codedTypeError(
        'ERR_INVALID_ARG_TYPE',
        `${caller}: responses[${i}] must be a QuerySampleResponse with a numeric id (got ${describeValue(response)})`,
      );
    }
    ids[i] = response.id;
    const bytes = bytesOf(response, i, caller);
    if (bytes !== null && bytes.byteLength > 0) {
      views ??= new Array<Uint8Array | null>(count).fill(null);
      views[i] = bytes;
      totalBytes += bytes.byteLength;
    }
    const tokens = response.n_tokens;
    if (withTokens && tokens !== undefined && tokens !== 0) {
      if (!Number.isInteger(tokens) || tokens < -(2 ** 31) || tokens >= 2 ** 31) {
        throw codedTypeError(
          'ERR_INVALID_ARG_TYPE',
          `${caller}: responses[${i}].n_tokens must be a 32-bit integer (got ${describeValue(tokens)})`,
        );
      }
      nTokens ??= new Int32Array(count);
      nTokens[i] = tokens;
    }
  }
  if (views === null) return { ids, count, data: null, offsets: null, nTokens };
  const data = new Uint8Array(totalBytes);
  const offsets = new Uint32Array(count + 1);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    offsets[i] = offset;
    const view = views[i];
    if (view) {
      data.set(view, offset);
      offset += view.byteLength;
    }
  }
  offsets[count] = offset;
  return { ids, count, data, offsets, nTokens };
}

/**
 * Tells LoadGen these samples are done (Python: `lg.QuerySamplesComplete(responses)`).
 * Safe to call at any time from the thread that started the test; LoadGen copies the bytes it
 * keeps before returning. Each issued sample must be completed exactly once.
 *
 * @param responses - one response per completed sample
 * @throws RangeError `ERR_LOADGEN_UNKNOWN_RESPONSE_ID` / `ERR_LOADGEN_ALREADY_COMPLETED` for an id
 *   that was not issued or was completed before; nothing in the call is completed then
 */
export function QuerySamplesComplete(responses: ArrayLike<ResponseLike>): void {
  const packed = pack(responses, 'QuerySamplesComplete', true);
  native.completeSamples(packed.ids, packed.data, packed.offsets, packed.nTokens, packed.count);
}

/**
 * Reports the first token of these samples (Python: `lg.FirstTokenComplete(responses)`), for
 * time-to-first-token with `use_token_latencies` in Server and SingleStream. Call it before
 * {@link QuerySamplesComplete} for the same sample, once per sample.
 *
 * @param responses - one response per sample, holding the first token's bytes
 */
export function FirstTokenComplete(responses: ArrayLike<ResponseLike>): void {
  const packed = pack(responses, 'FirstTokenComplete', false);
  native.completeFirstTokens(packed.ids, packed.data, packed.offsets, packed.count);
}

/**
 * Completes many samples in one call without per-sample objects: the fast path for high rates.
 *
 * @param ids - the response ids, as handed to issueQuery
 * @param data - every response's bytes back to back (e.g. an Int32Array of token ids), or null
 * @param offsets - `ids.length + 1` byte offsets into `data`: sample i's bytes are
 *   `[offsets[i], offsets[i+1])`; required with `data`
 * @param nTokens - token count per sample, or null
 * @returns how many samples reached LoadGen (samples the binding already drained after an
 *   abort are skipped)
 */
export function completeSamples(
  ids: Float64Array,
  data: ArrayBufferView | null = null,
  offsets: Uint32Array | null = null,
  nTokens: Int32Array | null = null,
): number {
  return native.completeSamples(ids, data, offsets, nTokens);
}

/**
 * Reports first tokens for many samples in one call (see {@link completeSamples} for the
 * layout of `data` and `offsets`).
 */
export function completeFirstTokens(
  ids: Float64Array,
  data: ArrayBufferView | null = null,
  offsets: Uint32Array | null = null,
): number {
  return native.completeFirstTokens(ids, data, offsets);
}
