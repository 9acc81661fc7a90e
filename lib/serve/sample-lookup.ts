/**
 * Finds the dataset sample a prompt belongs to, by its token ids. Backends that answer by sample
 * (replay) need the sample index, and the OpenAI API carries only the prompt; looking the prompt
 * up keeps the wire format standard, so any client can drive a served replay backend.
 *
 * @packageDocumentation
 */

/** Returns a function giving the index of the prompt equal to its argument, or -1. */
export function sampleIndexByPrompt(prompts: readonly Int32Array[]): (prompt: Int32Array) => number {
  const byHash = new Map<number, number[]>();
  prompts.forEach((prompt, index) => {
    const hash = hashTokens(prompt);
    const bucket = byHash.get(hash);
    if (bucket === undefined) byHash.set(hash, [index]);
    else bucket.push(index);
  });
  return (prompt) => {
    for (const index of byHash.get(hashTokens(prompt)) ?? []) {
      if (sameTokens(prompts[index]!, prompt)) return index;
    }
    return -1;
  };
}

// FNV-1a over the token ids: cheap, and collisions are resolved by comparing the tokens.
function hashTokens(tokens: Int32Array): number {
  let hash = 0x811c9dc5 ^ tokens.length;
  for (let i = 0; i < tokens.length; i++) hash = Math.imul(hash ^ tokens[i]!, 0x01000193);
  return hash >>> 0;
}

function sameTokens(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
