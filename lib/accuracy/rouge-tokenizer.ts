/**
 * rouge_score 0.1.2's default tokenizer: lowercase (Python's `str.lower()`), every run of
 * characters other than `a-z0-9` becomes a separator, and with stemming every token longer than
 * three characters goes through the Porter stemmer. Accented letters are separators, so `café`
 * gives the token `caf`.
 *
 * @packageDocumentation
 */
import { porterStem } from './porter-stemmer.js';

// Stems repeat across a corpus; a bounded memo keeps a full evaluation fast without growing forever.
const stemMemo = new Map<string, string>();
const STEM_MEMO_LIMIT = 200_000;

function stemCached(token: string): string {
  let stem = stemMemo.get(token);
  if (stem === undefined) {
    stem = porterStem(token);
    if (stemMemo.size >= STEM_MEMO_LIMIT) stemMemo.clear();
    stemMemo.set(token, stem);
  }
  return stem;
}

const VALID_TOKEN = /^[a-z0-9]+$/;

/**
 * Tokenizes `text` as `rouge_score.tokenize.tokenize(text, stemmer)` does with
 * `PorterStemmer()` (when `stem`) or no stemmer.
 */
export function rougeTokenize(text: string, stem = true): string[] {
  const raw: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) {
      current += text[i];
    } else if (c >= 0x41 && c <= 0x5a) {
      current += String.fromCharCode(c + 0x20);
    } else if (c === 0x212a) {
      // KELVIN SIGN lowercases to an ASCII "k".
      current += 'k';
    } else if (c === 0x130) {
      // LATIN CAPITAL LETTER I WITH DOT ABOVE lowercases to "i" plus a combining dot, a separator.
      raw.push(current + 'i');
      current = '';
    } else if (current !== '') {
      // No other character lowercases to anything in a-z0-9.
      raw.push(current);
      current = '';
    }
  }
  if (current !== '') raw.push(current);
  const tokens: string[] = [];
  for (const token of raw) {
    const out = stem && token.length > 3 ? stemCached(token) : token;
    if (VALID_TOKEN.test(out)) tokens.push(out);
  }
  return tokens;
}
