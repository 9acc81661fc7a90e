/**
 * The numeric steps of evaluation.py, reproduced bit for bit: `np.mean` of a list of floats,
 * `round(np.float64, 4)`, Python's `round(float, 1)`, and `str(float)`.
 *
 * @packageDocumentation
 */

/** numpy's pairwise summation of a contiguous float64 run (blocks of 128, eight accumulators). */
function pairwiseSum(values: readonly number[], start: number, n: number): number {
  if (n < 8) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  if (n <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => values[start + k]!);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let k = 0; k < 8; k++) r[k]! += values[start + i + k]!;
    let sum = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, n - half);
}

/**
 * `np.mean(values)` for a Python list of floats as numpy 1.x computes it: the reduction runs over
 * buffers of 8192 elements, each summed pairwise and added to a running total, then divided by the
 * count. (numpy 2 sums the whole array pairwise; the two can differ in the last bit for more than
 * 8192 values, which moves a 4-decimal rounding only at an exact tie.)
 */
export function numpyMean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const block = 8192;
  let total = 0;
  for (let start = 0; start < values.length; start += block)
    total += pairwiseSum(values, start, Math.min(block, values.length - start));
  return total / values.length;
}

/** Round half to even to an integer, as C's `rint` in the default rounding mode. */
function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * `round(np.float64(x), decimals)`: numpy scales by 10^decimals, rounds half to even and scales
 * back, which differs from Python's correctly rounded `round(float, n)` near ties.
 */
export function numpyRound(x: number, decimals: number): number {
  const scale = 10 ** decimals;
  return rint(x * scale) / scale;
}

/**
 * Python's `round(x, digits)` for a float (digits >= 1): the decimal nearest to the exact binary
 * value, ties to even, read back as the nearest double. JavaScript's `toFixed` also rounds the
 * exact value but sends ties away from zero, so only exact ties need another look.
 */
export function pythonRound(x: number, digits: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return x;
  // The exact decimal expansion of any double above about 1e-14 fits in 100 digits.
  const exact = Math.abs(x).toFixed(100);
  const cut = exact.indexOf('.') + 1 + digits;
  if (!/^50*$/.test(exact.slice(cut))) return Number(x.toFixed(digits));
  const truncated = exact.slice(0, cut);
  const lastDigit = Number(truncated[truncated.length - 1]);
  const magnitude = lastDigit % 2 === 0 ? Number(truncated) : Number(Math.abs(x).toFixed(digits));
  return x < 0 ? -magnitude : magnitude;
}

/** Python's `str(x)` / `repr(x)` for a float: shortest round-trip digits, `.0` on integers. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e16 || abs < 1e-4) {
    // Python switches to exponent notation outside [1e-4, 1e16) and writes at least two exponent digits.
    const [mantissa, exponent] = x.toExponential().split('e') as [string, string];
    const sign = exponent.startsWith('-') ? '-' : '+';
    const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  const text = String(x);
  return Number.isInteger(x) ? `${text}.0` : text;
}
