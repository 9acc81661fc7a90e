/**
 * Runs one prompt of a completions request on the backend: waits for a backend slot, turns the
 * backend's token events into text pieces (held back where the text may still change or may be
 * the start of a stop string), and ends early, aborting the generation, at a stop string.
 *
 * @packageDocumentation
 */
import type { Backend, FinishReason, GenerationEvents } from '../backends/backend.js';
import type { ConcurrencyLimiter } from '../util/concurrency-limiter.js';
import type { CompletionPrompt } from './completion-request.js';
import { IncrementalText, settledLength } from './incremental-text.js';
import type { StopStrings } from './stop-strings.js';
import type { ServeTokenizer } from './text-tokenizer.js';
import { abortError } from '../errors.js';

/** New output of a running completion. */
export interface CompletionPiece {
  /** Text not handed out before (may be empty while text is held back). */
  readonly text: string;
  /** Tokens generated since the last piece (the backend's array: read it during the call, or copy it). */
  readonly tokens: Int32Array;
  /** Set on the last piece only. */
  readonly finishReason?: FinishReason;
}

/** A finished completion. */
export interface CompletionResult {
  /** The completion's text, ending before a matched stop string. */
  readonly text: string;
  /** The generated token ids, the end-of-sequence token included when it was generated. */
  readonly tokens: Int32Array;
  /** 'stop': end-of-sequence token or stop string; 'length': the token limit. */
  readonly finishReason: FinishReason;
}

/** What {@link runCompletion} needs. */
export interface CompletionRunOptions {
  readonly backend: Backend;
  readonly tokenizer: ServeTokenizer;
  /** Keeps at most `maxConcurrency` prompts on the backend. */
  readonly slots: ConcurrencyLimiter;
  /** The backend request key, unique among requests in flight. */
  readonly key: number;
  readonly prompt: CompletionPrompt;
  /** The dataset sample of this prompt, for backends that answer by sample; -1 when unknown. */
  readonly sampleIndex: number;
  readonly stop: StopStrings;
  /** Decode tokens to text; false: every piece's text is empty (TensorRT-LLM's `detokenize: false`). */
  readonly detokenize: boolean;
  /** Fires when the client goes away or the server closes. */
  readonly signal: AbortSignal;
  /** Receives output as it is generated (streaming). */
  readonly onPiece?: (piece: CompletionPiece) => void;
}

/** Generates one completion; rejects with the backend's error, or an AbortError on `signal`. */
export async function runCompletion(options: CompletionRunOptions): Promise<CompletionResult> {
  const { backend, tokenizer, stop, signal, onPiece } = options;
  const release = await options.slots.acquire(signal);
  const ownAbort = new AbortController();
  const text = new IncrementalText(tokenizer);
  // Without streaming or stop strings the text is needed only once, at the end.
  const incremental = onPiece !== undefined || !stop.empty;
  let emitted = 0; // characters handed out in pieces
  let sent = 0; // tokens handed out in pieces
  let settle!: { resolve(result: CompletionResult): void; reject(error: unknown): void };
  const outcome = new Promise<CompletionResult>((resolve, reject) => (settle = { resolve, reject }));
  let done = false;

  const finish = (result: CompletionResult): void => {
    done = true;
    onPiece?.({
      text: result.text.slice(emitted),
      tokens: result.tokens.slice(sent),
      finishReason: result.finishReason,
    });
    settle.resolve(result);
  };
  // The first stop string at or after what was handed out; finishes the completion there.
  const stoppedAt = (current: string, newTokens: number): boolean => {
    if (stop.empty) return false;
    const match = stop.find(current, Math.max(0, emitted - stop.maxLength));
    if (match === undefined) return false;
    finish({
      text: current.slice(0, Math.max(match.start, emitted)),
      tokens: tokensThrough(match.end, newTokens),
      finishReason: 'stop',
    });
    // The rest of the generation is not wanted.
    ownAbort.abort(new Error('stop string reached'));
    return true;
  };
  // The tokens up to the one that completed the text's first `length` characters, as a server
  // generating token by token would have stopped there. Only the newest tokens can be it.
  const tokensThrough = (length: number, newTokens: number): Int32Array => {
    const all = text.tokens;
    for (let count = all.length - newTokens + 1; count < all.length; count++) {
      const prefix = all.subarray(0, count);
      if (settledLength(tokenizer.decode(prefix)) >= length) return prefix.slice();
    }
    return all.slice();
  };

  // The slot stays taken until the backend has really let go of the request (its last event).
  let released = false;
  const releaseOnce = (): void => {
    if (released) return;
    released = true;
    release();
  };
  const events: GenerationEvents = {
    onTokens(tokens) {
      if (done) return;
      if (!options.detokenize) {
        sent += tokens.length;
        onPiece?.({ text: '', tokens });
        return;
      }
      if (!incremental) return;
      text.push(tokens);
      if (stoppedAt(text.text, tokens.length)) return;
      const safeEnd = Math.min(text.stableLength, text.text.length - stop.partialTail(text.text));
      const piece = safeEnd > emitted ? text.text.slice(emitted, safeEnd) : '';
      emitted = Math.max(emitted, safeEnd);
      sent += tokens.length;
      onPiece?.({ text: piece, tokens });
    },
    onComplete(tokens, reason) {
      releaseOnce();
      if (done) return;
      if (!options.detokenize) return finish({ text: '', tokens: tokens.slice(), finishReason: reason });
      if (!incremental) return finish({ text: tokenizer.decode(tokens), tokens: tokens.slice(), finishReason: reason });
      // onComplete's tokens are authoritative; take any the backend did not report by onTokens.
      const unreported = tokens.length - text.tokens.length;
      if (unreported > 0) text.push(tokens.subarray(text.tokens.length));
      const whole = text.finish(emitted);
      if (stoppedAt(whole, Math.max(1, unreported))) return;
      finish({ text: whole, tokens: tokens.slice(), finishReason: reason });
    },
    onError(error) {
      releaseOnce();
      if (done) return;
      done = true;
      settle.reject(signal.aborted ? abortError('generation', signal.reason) : error);
    },
  };

  try {
    backend.generate(
      [
        {
          prompt: options.prompt.tokens,
          maxNewTokens: options.prompt.maxNewTokens,
          sampleIndex: options.sampleIndex,
          events,
        },
      ],
      AbortSignal.any([signal, ownAbort.signal]),
    );
  } catch (error) {
    // A backend that throws instead of reporting onError must not keep the slot.
    events.onError(error);
  }
  return outcome;
}
