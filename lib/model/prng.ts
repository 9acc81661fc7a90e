/**
 * The deterministic pseudo-random source of the tiny model's weights: Marsaglia's xorshift128
 * over 32-bit words, seeded through an integer hash. Only integer arithmetic and exact scaling
 * are used, so the same seed gives bit-identical weights on every platform and Node version.
 *
 * @packageDocumentation
 */

/** Mixes a 32-bit value into a well-spread 32-bit value (used to expand the seed). */
function mix32(value: number): number {
  let x = value >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** A seeded stream of 32-bit words and derived uniform numbers. */
export class WeightRandom {
  #x: number;
  #y: number;
  #z: number;
  #w: number;

  /** `seed` is any 32-bit integer; equal seeds give equal streams. */
  constructor(seed: number) {
    this.#x = mix32(seed + 0x9e3779b9);
    this.#y = mix32(this.#x + 0x9e3779b9);
    this.#z = mix32(this.#y + 0x9e3779b9);
    this.#w = mix32(this.#z + 0x9e3779b9);
    // xorshift128 must not start from the all-zero state.
    if ((this.#x | this.#y | this.#z | this.#w) === 0) this.#w = 1;
  }

  /** The next 32-bit word, as an unsigned integer. */
  nextUint32(): number {
    const t = (this.#x ^ (this.#x << 11)) >>> 0;
    this.#x = this.#y;
    this.#y = this.#z;
    this.#z = this.#w;
    this.#w = (this.#w ^ (this.#w >>> 19) ^ t ^ (t >>> 8)) >>> 0;
    return this.#w;
  }

  /** A float32-representable value uniform in [-scale, scale). */
  nextSigned(scale: number): number {
    // 2^-31 steps: (u - 2^31) / 2^31 is exact in a double, then one rounding to float32.
    return Math.fround(((this.nextUint32() - 0x80000000) / 0x80000000) * scale);
  }

  /** Fills a new Float32Array with values uniform in [-scale, scale). */
  uniform(length: number, scale: number): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = this.nextSigned(scale);
    return out;
  }
}
