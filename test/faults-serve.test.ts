// Issue 10, point 10: a 4 MB one-word text prompt to `serve` is a coded 400 answer (the prompt
// does not fit the context), never an HTTP 500 from a stack overflow in the tokenizer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplayBackend } from '../lib/backends/replay.js';
import { sampleIndexByPrompt, startOpenAIServer } from '../lib/serve/index.js';
import { LlamaTokenizer } from '../lib/tokenizer/tokenizer.js';

test('a 4 MB one-word prompt is a 400 invalid_value naming the prompt, and the server goes on serving', async () => {
  const tokenizer = LlamaTokenizer.load();
  const answer = Int32Array.from([...tokenizer.encode('ok', { addBos: false }), tokenizer.eosIds[2]!]);
  const server = await startOpenAIServer({
    backend: new ReplayBackend({ answers: [answer], maxConcurrency: 1 }),
    tokenizer,
    modelName: 'm',
    port: 0,
    sampleIndexOf: sampleIndexByPrompt([tokenizer.encode('hello')]),
  });
  try {
    const post = (prompt: string): Promise<Response> =>
      fetch(`${server.url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', prompt, max_tokens: 4 }),
      });
    const huge = await post('a'.repeat(4 * 2 ** 20));
    const body = (await huge.json()) as { error: { code: string; param: string; message: string } };
    assert.equal(huge.status, 400, JSON.stringify(body));
    assert.equal(body.error.code, 'invalid_value');
    assert.equal(body.error.param, 'prompt');
    assert.match(body.error.message, /tokens but the model's context is/);
    const small = await post('hello');
    assert.equal(small.status, 200, await small.clone().text());
  } finally {
    await server.close();
  }
});
