/**
 * A first-come, first-served limit on concurrent work: the `openai` backend keeps at most
 * `maxConcurrency` HTTP requests in flight, and `serve` hands its backend at most `maxBatchSize`
 * prompts at once. Waiters leave the queue when their signal fires.
 *
 * @packageDocumentation
 */
import { abortErrorFrom } from './errors.js';

/** Gives out at most `limit` slots at once; the rest wait in arrival order. */
export class ConcurrencyLimiter {
  /** The most slots held at once. */
  readonly limit: number;
  #active = 0;
  #peak = 0;
  readonly #waiters: Array<() => void> = [];

  /** @param limit - the most slots held at once, a positive integer. */
  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
    this.limit = limit;
  }

  /** Slots held now. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a slot now. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** The most slots ever held at once. */
  get peak(): number {
    return this.#peak;
  }

  /**
   * Waits for a slot. Resolves with the function that gives it back (call it exactly once);
   * rejects with an AbortError if `signal` fires first, leaving the queue.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortErrorFrom(signal));
    if (this.#active < this.limit) return Promise.resolve(this.#take());
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.#take());
      };
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(grant);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(abortErrorFrom(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(grant);
    });
  }

  #take(): () => void {
    this.#active++;
    if (this.#active > this.#peak) this.#peak = this.#active;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      // Hand the slot straight to the next waiter, so late arrivals cannot overtake it.
      this.#waiters.shift()?.();
    };
  }
}
