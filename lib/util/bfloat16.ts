/**
 * bfloat16 bit conversions: the upper half of a float32, rounded to nearest (ties to even).
 *
 * @packageDocumentation
 */

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The bfloat16 bit pattern nearest to `value` (NaN stays a quiet NaN). */
export function bfloat16Bits(value: number): number {
  scratch[0] = value;
  const bits = scratchBits[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return (bits >>> 16) | 0x40;
  // Adding 0x7fff plus the lowest kept bit rounds half to even; a carry bumps the exponent.
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}
