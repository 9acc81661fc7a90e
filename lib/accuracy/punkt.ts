/**
 * Punkt sentence splitting (Kiss & Strunk 2006) with the decisions nltk 3.8.1's
 * `PunktSentenceTokenizer.tokenize(text)` makes at tokenization time, so that `sentTokenize`
 * returns what `nltk.sent_tokenize(text)` returns for English.
 *
 * How it decides: every `.`, `?` or `!` followed by punctuation or by whitespace and a token is a
 * candidate. The word before it, the mark and what follows form a small context; the context is
 * split into word tokens and annotated in two passes. The first pass uses the token alone (a bare
 * mark or a word ending in a period that is not a known abbreviation is a break; `..`+ is an
 * ellipsis). The second looks at the next token: known collocations undo a break; after an
 * abbreviation or ellipsis, a next word that the orthographic evidence says starts sentences, or
 * a capitalised frequent sentence starter, makes a break; after an initial or a number, evidence
 * that the next word does not start sentences undoes the break. A candidate splits the text when
 * some token of its context other than the last ends up a break. Finally closing quotes and
 * brackets right after a break are moved into the sentence they close.
 *
 * Strings are indexed in UTF-16 units here and in code points in Python; only slices are taken,
 * so the sentences are the same.
 *
 * @packageDocumentation
 */
import { englishPunktParameters, type PunktParameters } from './punkt-params.js';
import { firstIsLower, firstIsUpper, PY_WHITESPACE, pyIsBlank, pyRstrip } from './python-text.js';

// Orthographic context flags, as stored in the trained model.
const ORTHO_MID_UC = 1 << 2;
const ORTHO_BEG_LC = 1 << 4;
const ORTHO_UC = (1 << 1) | (1 << 2) | (1 << 3);
const ORTHO_LC = (1 << 4) | (1 << 5) | (1 << 6);

const WS = `[${PY_WHITESPACE}]`;
const NON_WS = `[^${PY_WHITESPACE}]`;
// Punctuation that ends a word (the period excepted: it stays on its word).
const NON_WORD = `[)";}\\]*:@'({\\[!?]`;
const MULTI_CHAR = `(?:-{2,}|\\.{2,}|(?:\\.${WS}){2,}\\.)`;
// A word cannot start with these.
const WORD_START = '[^("`{\\[:;&#*@)}\\]\\-,]';

const WORD_TOKEN = new RegExp(
  `${MULTI_CHAR}` +
    `|(?=${WORD_START})${NON_WS}+?(?=${WS}|$|${NON_WORD}|${MULTI_CHAR}|,(?=$|${WS}|${NON_WORD}|${MULTI_CHAR}))` +
    `|${NON_WS}`,
  'gu',
);
// A possible sentence end, and (looking ahead) either punctuation or whitespace plus the next token.
const PERIOD_CONTEXT = new RegExp(`[.?!](?=(${NON_WORD}|${WS}+(${NON_WS}+)))`, 'gu');
// Closing quotes or brackets that open the next slice but belong to the sentence before.
const BOUNDARY_REALIGNMENT = new RegExp(`^["')\\]}]+?(?:${WS}+|(?=--)|$)`, 'u');
const NUMERIC = /^-?[.,]?\p{Nd}[\p{Nd},.-]*\.?$/u;
const ELLIPSIS = /^\.\.+$/;
const INITIAL = /^[\p{L}\p{Nl}\p{No}_]\.$/u;

const SENT_END_CHARS = new Set(['.', '?', '!']);
const PUNCTUATION = new Set([';', ':', ',', '.', '!', '?']);

/** A word token and its annotations. */
interface Token {
  readonly tok: string;
  /** Lowercased, with numbers replaced by `##number##`. */
  readonly type: string;
  readonly periodFinal: boolean;
  sentbreak: boolean;
  abbr: boolean;
  ellipsis: boolean;
}

function makeToken(tok: string): Token {
  const lower = tok.toLowerCase();
  return {
    tok,
    type: NUMERIC.test(lower) ? '##number##' : lower,
    periodFinal: tok.endsWith('.'),
    sentbreak: false,
    abbr: false,
    ellipsis: false,
  };
}

function typeNoPeriod(token: Token): string {
  const type = token.type;
  return type.length > 1 && type.endsWith('.') ? type.slice(0, -1) : type;
}

function typeNoSentperiod(token: Token): string {
  return token.sentbreak ? typeNoPeriod(token) : token.type;
}

/** Word tokens of each non-blank line. */
function tokenizeWords(text: string): Token[] {
  const tokens: Token[] = [];
  for (const line of text.split('\n')) {
    if (pyIsBlank(line)) continue;
    for (const m of line.matchAll(WORD_TOKEN)) tokens.push(makeToken(m[0]));
  }
  return tokens;
}

/** Index of the last ASCII whitespace in `text` (Python's `string.whitespace`), or 0 if none. */
function lastAsciiWhitespace(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return i;
  }
  return 0;
}

interface Candidate {
  /** Index just past the sentence-ending mark. */
  readonly end: number;
  /** Where the next token starts, when whitespace follows the mark; else -1. */
  readonly nextStart: number;
  /** Word before the mark, the mark, and what follows it. */
  readonly context: string;
}

/** A sentence tokenizer with fixed parameters. */
export class PunktSentenceTokenizer {
  /** @param params the trained model; English by default. */
  constructor(private readonly params: PunktParameters = englishPunktParameters()) {}

  /** The sentences of `text`, as `nltk.sent_tokenize` (realigning boundaries) returns them. */
  tokenize(text: string): string[] {
    return this.spanTokenize(text).map(([start, end]) => text.slice(start, end));
  }

  /** The [start, end) spans of the sentences of `text`, in UTF-16 indices. */
  spanTokenize(text: string): [number, number][] {
    const slices = this.slices(text);
    const spans: [number, number][] = [];
    let realign = 0;
    for (let i = 0; i < slices.length; i++) {
      const start = slices[i]![0] + realign;
      const stop = slices[i]![1];
      const next = slices[i + 1];
      if (next === undefined) {
        if (start < stop) spans.push([start, stop]);
        break;
      }
      const m = BOUNDARY_REALIGNMENT.exec(text.slice(next[0], next[1]));
      if (m) {
        spans.push([start, next[0] + pyRstrip(m[0]).length]);
        realign = m[0].length;
      } else {
        realign = 0;
        if (start < stop) spans.push([start, stop]);
      }
    }
    return spans;
  }

  /** Slices between the candidates that break, before realignment. */
  private slices(text: string): [number, number][] {
    const slices: [number, number][] = [];
    let lastBreak = 0;
    for (const candidate of this.candidates(text)) {
      if (!this.contextBreaks(candidate.context)) continue;
      slices.push([lastBreak, candidate.end]);
      lastBreak = candidate.nextStart >= 0 ? candidate.nextStart : candidate.end;
    }
    slices.push([lastBreak, pyRstrip(text).length]);
    return slices;
  }

  /**
   * The candidate marks with their contexts. A mark whose preceding word reaches back over an
   * earlier candidate replaces it (in `acting!!! I` only the last `!` is a candidate).
   */
  private candidates(text: string): Candidate[] {
    const out: Candidate[] = [];
    let previous: { match: RegExpExecArray; wordStart: number } | undefined;
    let previousWordStart = 0;
    let previousStop = 0;
    const emit = (p: { match: RegExpExecArray; wordStart: number }): void => {
      const m = p.match;
      const after = m[1]!;
      out.push({
        end: m.index + 1,
        nextStart: m[2] === undefined ? -1 : m.index + 1 + after.length - m[2].length,
        context: text.slice(p.wordStart, m.index) + m[0] + after,
      });
    };
    PERIOD_CONTEXT.lastIndex = 0;
    for (let m = PERIOD_CONTEXT.exec(text); m !== null; m = PERIOD_CONTEXT.exec(text)) {
      const before = text.slice(previousStop, m.index);
      const space = lastAsciiWhitespace(before);
      // As in nltk, whitespace at offset 0 of `before` counts as none.
      const wordStart = space ? space + previousStop + 1 : previousWordStart;
      if (previous && previousStop <= wordStart) emit(previous);
      previous = { match: m, wordStart };
      previousWordStart = wordStart;
      previousStop = m.index;
    }
    if (previous) emit(previous);
    return out;
  }

  /** Whether a token of the context other than its last is a sentence break. */
  private contextBreaks(context: string): boolean {
    const tokens = tokenizeWords(context);
    for (const token of tokens) this.firstPass(token);
    for (let i = 0; i + 1 < tokens.length; i++) {
      this.secondPass(tokens[i]!, tokens[i + 1]!);
      if (tokens[i]!.sentbreak) return true;
    }
    return false;
  }

  /** Decisions from the token alone. */
  private firstPass(token: Token): void {
    const tok = token.tok;
    if (SENT_END_CHARS.has(tok)) {
      token.sentbreak = true;
    } else if (ELLIPSIS.test(tok)) {
      token.ellipsis = true;
    } else if (token.periodFinal && !tok.endsWith('..')) {
      const base = tok.slice(0, -1).toLowerCase();
      const lastPart = base.slice(base.lastIndexOf('-') + 1);
      if (this.params.abbrevTypes.has(base) || this.params.abbrevTypes.has(lastPart)) token.abbr = true;
      else token.sentbreak = true;
    }
  }

  /** Revisits a period-final token in the light of the token after it. */
  private secondPass(token: Token, next: Token): void {
    if (!token.periodFinal) return;
    const type = typeNoPeriod(token);
    const nextType = typeNoSentperiod(next);
    const isInitial = INITIAL.test(token.tok);

    if (this.params.collocations.get(type)?.has(nextType)) {
      token.sentbreak = false;
      token.abbr = true;
      return;
    }
    if ((token.abbr || token.ellipsis) && !isInitial) {
      if (this.startsSentence(next) === true) {
        token.sentbreak = true;
        return;
      }
      if (firstIsUpper(next.tok) && this.params.sentStarters.has(nextType)) {
        token.sentbreak = true;
        return;
      }
    }
    if (isInitial || type === '##number##') {
      const starts = this.startsSentence(next);
      if (starts === false) {
        token.sentbreak = false;
        token.abbr = true;
        return;
      }
      // An initial before a word that is only ever seen capitalised (J. Bach) is not a break.
      if (starts === 'unknown' && isInitial && firstIsUpper(next.tok) && !(this.orthoContext(nextType) & ORTHO_LC)) {
        token.sentbreak = false;
        token.abbr = true;
      }
    }
  }

  /** The orthographic heuristic: does this token begin a sentence? */
  private startsSentence(token: Token): boolean | 'unknown' {
    if (PUNCTUATION.has(token.tok)) return false;
    const context = this.orthoContext(typeNoSentperiod(token));
    if (firstIsUpper(token.tok) && context & ORTHO_LC && !(context & ORTHO_MID_UC)) return true;
    if (firstIsLower(token.tok) && (context & ORTHO_UC || !(context & ORTHO_BEG_LC))) return false;
    return 'unknown';
  }

  private orthoContext(type: string): number {
    return this.params.orthoContext.get(type) ?? 0;
  }
}

let english: PunktSentenceTokenizer | undefined;

/**
 * `nltk.sent_tokenize(text)` (English) of nltk 3.8.1. Loads the fetched parameters on first use;
 * throws `ERR_ACCURACY_PUNKT` if they are missing.
 */
export function sentTokenize(text: string): string[] {
  english ??= new PunktSentenceTokenizer();
  return english.tokenize(text);
}
