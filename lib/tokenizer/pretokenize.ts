/**
 * Llama 3's pre-tokenizer: the regex split that cuts text into words, numbers, punctuation and
 * whitespace runs before byte-level BPE sees it.
 *
 * @packageDocumentation
 */

/** The split pattern exactly as Llama 3's tokenizer.json spells it (an Oniguruma regex). */
export const LLAMA3_SPLIT_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// Oniguruma's Unicode `\s`: tab to CR, NEL, and the Zs/Zl/Zp characters. JavaScript's `\s`
// differs (it adds U+FEFF and lacks U+0085), so the class is spelled out.
const WS = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

// Letters and numbers that Unicode 17.0 added. The Oniguruma inside `tokenizers` knows Unicode 16,
// where these are unassigned (so neither \p{L} nor \p{N}); newer Node builds class them as
// letters or digits. Taking them out keeps the split the same on either. Found by comparing both
// splitters on every code point (scripts/tokenizer/check-unicode.sh).
const UNICODE17_ADDED =
  '\\u088F\\u0C5C\\u0CDC\\uA7CE\\uA7CF\\uA7D2\\uA7D4\\uA7F1' +
  '\\u{10940}-\\u{10959}\\u{10EC5}-\\u{10EC7}\\u{11DB0}-\\u{11DDB}\\u{11DE0}-\\u{11DE9}' +
  '\\u{16EA0}-\\u{16EB8}\\u{16EBB}-\\u{16ED3}\\u{16FF2}-\\u{16FF6}\\u{187F8}-\\u{187FF}' +
  '\\u{18D09}-\\u{18D1E}\\u{18D80}-\\u{18DF2}\\u{1E6C0}-\\u{1E6DE}\\u{1E6E0}-\\u{1E6E2}' +
  '\\u{1E6E4}-\\u{1E6E5}\\u{1E6E7}-\\u{1E6ED}\\u{1E6F0}-\\u{1E6F4}\\u{1E6FE}-\\u{1E6FF}' +
  '\\u{2B73A}-\\u{2B73F}\\u{2CEA2}-\\u{2CEAD}\\u{323B0}-\\u{33479}';
const L = `[\\p{L}--[${UNICODE17_ADDED}]]`;
const N = `[\\p{N}--[${UNICODE17_ADDED}]]`;

// The same pattern for V8 (`v` flag, for the class subtraction). Node 20 has no `(?i:...)`
// groups, so the contractions list both cases of each letter; under Unicode case folding `s`
// also matches U+017F (long s), so that is added.
const SPLIT = new RegExp(
  "'(?:[sS\\u017f]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])" +
    `|[^\\r\\n${L}${N}]?${L}+` +
    `|${N}{1,3}` +
    `| ?[^${WS}${L}${N}]+[\\r\\n]*` +
    `|[${WS}]*[\\r\\n]+` +
    `|[${WS}]+(?![^${WS}])` +
    `|[${WS}]+`,
  'gv',
);

/**
 * Calls `piece` for each pre-token of `text`, in order. Like the Split pre-tokenizer's "Isolated"
 * behaviour, text between matches would be a piece of its own (this pattern leaves none).
 */
export function forEachPreToken(text: string, piece: (pre: string) => void): void {
  const re = SPLIT;
  re.lastIndex = 0;
  let last = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index > last) piece(text.slice(last, m.index));
    piece(m[0]);
    last = re.lastIndex;
  }
  if (last < text.length) piece(text.slice(last));
}
