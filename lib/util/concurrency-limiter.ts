/**
 * A first-come, first-served limit on concurrent work: `serve` hands its backend at most
 * `maxConcurrency` prompts at once, whatever its clients send. Waiters leave the queue when their
 * signal fires.
 *
 * @packageDocumentation
 */
import { abortError } from '../errors.js';

/** Gives out at most `maxConcurrency` slots at once; the rest wait in arrival order. */
export class ConcurrencyLimiter {
  /** The most slots held at once. */
  readonly maxConcurrency: number;
  #active = 0;
  #peak = 0;
  readonly #waiters: Array<() => void> = [];

  /** @param maxConcurrency - the most slots held at once, a positive integer. */
  constructor(maxConcurrency: number) {
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1)
      throw new RangeError(`maxConcurrency must be a positive integer, got ${maxConcurrency}`);
    this.maxConcurrency = maxConcurrency;
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
    if (signal?.aborted) return Promise.reject(abortError('generation', signal.reason));
    if (this.#active < this.maxConcurrency) return Promise.resolve(this.#take());
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.#take());
      };
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(grant);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(abortError('generation', signal!.reason));
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
