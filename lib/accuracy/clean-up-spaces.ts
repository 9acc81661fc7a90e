/**
 * The clean-up transformers applies after decoding when a tokenizer's config says
 * `clean_up_tokenization_spaces: true` (Llama-3.1's does): the space before punctuation and
 * English contractions is dropped. MLPerf's evaluation.py decodes with it, so ROUGE and gen_len
 * are computed on cleaned texts.
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The documented replacements, applied in this order, each to every occurrence.
const REPLACEMENTS: readonly (readonly [string, string])[] = [
  [' .', '.'],
  [' ?', '?'],
  [' !', '!'],
  [' ,', ','],
  [" ' ", "'"],
  [" n't", "n't"],
  [" 'm", "'m"],
  [" 's", "'s"],
  [" 've", "'ve"],
  [" 're", "'re"],
];

/** Drops the spaces a decode leaves before punctuation and contractions (transformers' clean-up). */
export function cleanUpTokenizationSpaces(text: string): string {
  let out = text;
  for (const [from, to] of REPLACEMENTS) out = out.split(from).join(to);
  return out;
}

/**
 * Whether a tokenizer folder asks for the clean-up: `clean_up_tokenization_spaces` in its
 * tokenizer_config.json, or true (Llama-3.1's setting) when the folder or the key is absent.
 */
export function cleanUpSetting(tokenizerDir: string | undefined): boolean {
  if (tokenizerDir === undefined) return true;
  const file = join(tokenizerDir, 'tokenizer_config.json');
  if (!existsSync(file)) return true;
  const config = JSON.parse(readFileSync(file, 'utf8')) as { clean_up_tokenization_spaces?: unknown };
  return typeof config.clean_up_tokenization_spaces === 'boolean' ? config.clean_up_tokenization_spaces : true;
}
