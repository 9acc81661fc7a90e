/**
 * Python 3 string semantics that MLPerf's evaluation depends on and JavaScript spells differently:
 * which characters are whitespace, `str.strip()`, `len()` in code points, and the case tests of
 * a token's first character.
 *
 * @packageDocumentation
 */

/**
 * The characters Python counts as whitespace (`str.isspace()`, `\s` in `re`, `str.strip()`).
 * Unlike JavaScript's `\s` it includes U+001C..U+001F and U+0085 and excludes U+FEFF.
 */
export const PY_WHITESPACE =
  '\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const LEADING = new RegExp(`^[${PY_WHITESPACE}]+`, 'u');
const ONE_SPACE = new RegExp(`[${PY_WHITESPACE}]`);
const ANY_NON_SPACE = new RegExp(`[^${PY_WHITESPACE}]`, 'u');
const UPPER = /^\p{Uppercase}/u;
const LOWER = /^\p{Lowercase}/u;

/** Python's `s.strip()` (no argument). */
export function pyStrip(s: string): string {
  return pyRstrip(s).replace(LEADING, '');
}

/** Python's `s.rstrip()` (no argument). */
export function pyRstrip(s: string): string {
  // A regex anchored at the end would rescan long runs; walking back is linear (every Python
  // whitespace character is one UTF-16 unit).
  let end = s.length;
  while (end > 0 && ONE_SPACE.test(s[end - 1]!)) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** Whether Python's `s.strip()` would leave nothing. */
export function pyIsBlank(s: string): boolean {
  return !ANY_NON_SPACE.test(s);
}

/** Python's `len(s)`: code points, so a character outside the BMP counts once. */
export function pyLength(s: string): number {
  let surrogatePairs = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        surrogatePairs++;
        i++;
      }
    }
  }
  return s.length - surrogatePairs;
}

/** Python's `s[0].isupper()` for a non-empty `s` (the Unicode Uppercase property). */
export function firstIsUpper(s: string): boolean {
  return UPPER.test(s);
}

/** Python's `s[0].islower()` for a non-empty `s` (the Unicode Lowercase property). */
export function firstIsLower(s: string): boolean {
  return LOWER.test(s);
}
