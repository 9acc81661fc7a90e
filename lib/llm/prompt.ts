/**
 * The MLPerf Llama-3.1-8B prompt: a plain instruction around the article (no chat template).
 *
 * @packageDocumentation
 */

/** The instruction template, with `{input}` standing for the article. */
export const PROMPT_TEMPLATE =
  'Summarize the following news article in 128 tokens. Please output the summary only, without any other text.\n\nArticle:\n{input}\n\nSummary:';

/** The prompt for one article. */
export function promptFor(article: string): string {
  return PROMPT_TEMPLATE.replace('{input}', article);
}

/** How many tokens MLPerf lets the model generate per sample. */
export const MAX_NEW_TOKENS = 128;
