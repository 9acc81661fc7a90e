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
 * The split as V8's regex engine does it. Its backtracking stack overflows ("Maximum call stack
 * size exceeded") on a run of about 4 million letters, so {@link forEachPreToken} scans instead;
 * this stays as the reference the scanner is tested against.
 * @internal
 */
export function forEachPreTokenByRegex(text: string, piece: (pre: string) => void): void {
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

// Character classes of the pattern: whitespace, letter, number, anything else.
const enum Kind {
  Space,
  Letter,
  Number,
  Other,
}
const IS_SPACE = new RegExp(`^[${WS}]$`, 'v');
const IS_LETTER = new RegExp(`^${L}$`, 'v');
const IS_NUMBER = new RegExp(`^${N}$`, 'v');
const kinds = new Map<number, Kind>();

function kindOf(codePoint: number): Kind {
  let kind = kinds.get(codePoint);
  if (kind === undefined) {
    const char = String.fromCodePoint(codePoint);
    kind = IS_SPACE.test(char)
      ? Kind.Space
      : IS_LETTER.test(char)
        ? Kind.Letter
        : IS_NUMBER.test(char)
          ? Kind.Number
          : Kind.Other;
    kinds.set(codePoint, kind);
  }
  return kind;
}

const isNewline = (code: number): boolean => code === 0x0a || code === 0x0d;
// The contractions after an apostrophe, as the split pattern lists them.
const CONTRACTION = /^(?:[sS\u017f]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])/;

/**
 * Calls `piece` for each pre-token of `text`, in order: Llama 3's split pattern, applied by a
 * scanner that keeps no stack, so a prompt of any length splits (a regex engine backtracks
 * through each long run). Alternatives are tried in the pattern's order at each position, each
 * greedy as the regex is; every character matches one of them, so no text falls between pieces.
 */
export function forEachPreToken(text: string, piece: (pre: string) => void): void {
  const length = text.length;
  const codeAt = (i: number): number => text.codePointAt(i)!;
  const step = (i: number): number => (codeAt(i) > 0xffff ? 2 : 1);
  const kindAt = (i: number): Kind | undefined => (i < length ? kindOf(codeAt(i)) : undefined);
  const skip = (i: number, kind: Kind): number => {
    while (i < length && kindOf(codeAt(i)) === kind) i += step(i);
    return i;
  };
  let i = 0;
  while (i < length) {
    const code = codeAt(i);
    const kind = kindOf(code);
    let end = -1;
    // 1. 's 't 're 've 'm 'll 'd, either case.
    if (code === 0x27) {
      const hit = CONTRACTION.exec(text.slice(i + 1, i + 3));
      if (hit !== null) end = i + 1 + hit[0].length;
    }
    // 2. One optional non-letter, non-number, non-newline character, then letters.
    if (end < 0 && kind === Kind.Letter) end = skip(i, Kind.Letter);
    if (end < 0 && kind !== Kind.Number && !isNewline(code) && kindAt(i + step(i)) === Kind.Letter) {
      end = skip(i + step(i), Kind.Letter);
    }
    // 3. One to three numbers.
    if (end < 0 && kind === Kind.Number) {
      end = i;
      for (let n = 0; n < 3 && kindAt(end) === Kind.Number; n++) end += step(end);
    }
    // 4. An optional space, other characters, then newlines.
    if (end < 0) {
      const start = code === 0x20 && kindAt(i + 1) === Kind.Other ? i + 1 : i;
      if (kindAt(start) === Kind.Other) {
        end = skip(start, Kind.Other);
        while (end < length && isNewline(text.charCodeAt(end))) end++;
      }
    }
    if (end < 0) {
      // Only whitespace is left: kind === Kind.Space.
      const run = skip(i, Kind.Space);
      // 5. Whitespace up to and including its last newline.
      let lastNewline = -1;
      for (let k = run - 1; k >= i; k--) {
        if (isNewline(text.charCodeAt(k))) {
          lastNewline = k;
          break;
        }
      }
      if (lastNewline >= 0) end = lastNewline + 1;
      // 6. Whitespace not followed by a non-space: the run, or all but its last character.
      else if (run === length) end = run;
      else if (run - 1 > i)
        end = run - 1; // every whitespace character is one UTF-16 unit
      // 7. Whitespace.
      else end = run;
    }
    piece(text.slice(i, end));
    i = end;
  }
}
