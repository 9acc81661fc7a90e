// The FIFO behind the SUT's queue and its sample timeout: order kept across compactions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fifo } from '../lib/util/fifo.js';

test('Fifo keeps first-in first-out order through take, dropWhile and compaction', () => {
  const fifo = new Fifo<number>();
  const total = 20_000;
  for (let i = 0; i < total; i++) fifo.push(i);
  assert.deepEqual(fifo.take(3), [0, 1, 2]);
  let next = 3;
  // Enough taken that the consumed front is cut off more than once.
  while (next < 15_000) {
    const taken = fifo.take(1000);
    assert.equal(taken[0], next);
    next += taken.length;
  }
  fifo.dropWhile((n) => n < 15_010);
  assert.equal(fifo.peek(), 15_010);
  assert.equal(fifo.length, total - 15_010);
  assert.deepEqual(fifo.toArray().slice(0, 2), [15_010, 15_011]);
  assert.deepEqual(fifo.take(total).length, total - 15_010);
  assert.equal(fifo.peek(), undefined);
  fifo.push(7);
  fifo.clear();
  assert.equal(fifo.length, 0);
});
