// The synthetic fixed-rate backend: answers that depend on the prompt alone, one token per
// stream per step (streams that start together advance together), aborts and close.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FixedRateBackend } from '../lib/backends/fixed-rate.js';
import { LLAMA31_SPECIAL_TOKENS } from '../lib/llama31.js';
import { generateAll } from './helpers.js';

const prompts = [Int32Array.of(128000, 5, 6, 7), Int32Array.of(128000, 5, 6, 8), Int32Array.of(128000, 9)];

test('each prompt gets its own answer, the same every time, of exactly maxNewTokens ordinary tokens', async () => {
  const backend = new FixedRateBackend({ tokensPerSecond: 1000 });
  assert.match(backend.name, /^fixed-rate\(1000 tokens\/s per stream, synthetic\)$/);
  const completed = new Map<number, { tokens: number[]; reason: string }>();
  const streamed = new Map<number, number[]>();
  const order: Array<[number, number]> = [];
  await generateAll(
    backend,
    prompts.map((prompt, key) => ({ key, prompt, maxNewTokens: 12, sampleIndex: -1 })),
    {
      onTokens: (key, tokens) => {
        assert.equal(tokens.length, 1, 'one token per step');
        streamed.set(key, [...(streamed.get(key) ?? []), ...tokens]);
        order.push([key, streamed.get(key)!.length]);
      },
      onComplete: (key, tokens, reason) => completed.set(key, { tokens: Array.from(tokens), reason }),
    },
  );
  for (const [key, prompt] of prompts.entries()) {
    const { tokens, reason } = completed.get(key)!;
    assert.equal(reason, 'length');
    assert.deepEqual(tokens, Array.from(FixedRateBackend.tokensFor(prompt, 12)));
    assert.deepEqual(streamed.get(key), tokens);
    for (const id of tokens) assert.ok(id > 0 && id < LLAMA31_SPECIAL_TOKENS.bos, `${id} is an ordinary token`);
  }
  assert.notDeepEqual(completed.get(0)!.tokens, completed.get(1)!.tokens, 'prompts one id apart differ');
  // Streams that started together get their k-th token in the same step.
  const steps = order.map(([, count]) => count);
  assert.deepEqual(
    steps,
    [...steps].sort((a, b) => a - b),
  );
  assert.equal(backend.running, 0);
});

test('an aborted stream ends with an AbortError; close ends the rest', async () => {
  const backend = new FixedRateBackend({ tokensPerSecond: 200, maxConcurrency: 4 });
  assert.equal(backend.maxConcurrency, 4);
  const abort = new AbortController();
  const aborted = generateAll(
    backend,
    [{ key: 1, prompt: prompts[0]!, maxNewTokens: 10_000, sampleIndex: -1 }],
    { onTokens: () => abort.abort(new Error('enough')), onComplete: () => {} },
    abort.signal,
  );
  await assert.rejects(aborted, { name: 'AbortError' });
  const open = generateAll(backend, [{ key: 2, prompt: prompts[1]!, maxNewTokens: 10_000, sampleIndex: -1 }], {
    onTokens: () => void backend.close(),
    onComplete: () => {},
  });
  await assert.rejects(open, { code: 'ERR_BACKEND_UNAVAILABLE', message: /was closed/ });
  assert.equal(backend.running, 0);
  await assert.rejects(
    generateAll(backend, [{ key: 3, prompt: prompts[2]!, maxNewTokens: 1, sampleIndex: -1 }], {
      onTokens: () => {},
      onComplete: () => {},
    }),
    { code: 'ERR_BACKEND_UNAVAILABLE' },
  );
});

test('a rate that is not a positive number is refused, naming the flag', () => {
  for (const tokensPerSecond of [0, -1, Number.NaN]) {
    assert.throws(() => new FixedRateBackend({ tokensPerSecond }), {
      code: 'ERR_BACKEND_REQUEST',
      message: /--tokens-per-second/,
    });
  }
});
