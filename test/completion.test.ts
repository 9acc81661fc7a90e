// Completing samples: every misuse is a JS error with a stable code, never a bad pointer inside
// LoadGen, and a failed call completes nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FirstTokenComplete,
  QuerySamplesComplete,
  completeFirstTokens,
  completeSamples,
} from '../lib/loadgen/completion.js';
import { runTest } from '../lib/loadgen/run-test.js';
import { QuerySampleResponse } from '../lib/loadgen/samples.js';
import { readAccuracyLog } from '../lib/report/accuracy-log.js';
import { readSummary } from '../lib/report/summary.js';
import { packResponses, responseFor, tempDir } from './helpers.js';

function codeOf(call: () => unknown): string | undefined {
  try {
    call();
  } catch (error) {
    return `${(error as Error).name}:${(error as { code?: string }).code}`;
  }
  return undefined;
}

test('bad completions throw coded errors, complete nothing, and the run stays valid', async () => {
  const outdir = tempDir('completion-errors');
  const seen: Record<string, string | undefined> = {};
  let probed = false;
  let lastIds: Float64Array | undefined;
  const result = await runTest({
    sut: {
      issueQuery(ids, indices) {
        if (!probed) {
          probed = true;
          const id = ids[0]!;
          seen.unknown = codeOf(() => completeSamples(new Float64Array([id + 1])));
          seen.notAnId = codeOf(() => completeSamples(new Float64Array([0.5])));
          seen.negative = codeOf(() => completeSamples(new Float64Array([-1])));
          seen.duplicateInCall = codeOf(() => completeSamples(new Float64Array([id, id])));
          seen.idsNotFloat64 = codeOf(() => completeSamples(new Uint32Array([1]) as unknown as Float64Array));
          seen.dataWithoutOffsets = codeOf(() => completeSamples(ids, new Uint8Array(8)));
          seen.offsetsTooShort = codeOf(() => completeSamples(ids, new Uint8Array(8), new Uint32Array([0])));
          seen.offsetsPastEnd = codeOf(() => completeSamples(ids, new Uint8Array(8), new Uint32Array([0, 9])));
          seen.nTokensLength = codeOf(() => completeSamples(ids, null, null, new Int32Array(3)));
          seen.responseWithoutId = codeOf(() => QuerySamplesComplete([{ id: 'x' } as unknown as QuerySampleResponse]));
          seen.sizePastData = codeOf(() => QuerySamplesComplete([new QuerySampleResponse(id, new Uint8Array(2), 4)]));
          seen.firstTokenTwice = codeOf(() => {
            completeFirstTokens(ids);
            completeFirstTokens(ids);
          });
        }
        const { data, offsets } = packResponses(indices);
        completeSamples(ids, data, offsets);
        if (lastIds) seen.completedTwice = codeOf(() => completeSamples(ids));
        lastIds = ids;
        seen.firstTokenAfterCompletion ??= codeOf(() => FirstTokenComplete([new QuerySampleResponse(ids[0]!)]));
      },
    },
    qsl: { totalSampleCount: 16 },
    settings: { scenario: 'SingleStream', mode: 'AccuracyOnly' },
    log: { outdir },
  });

  assert.deepEqual(seen, {
    unknown: 'RangeError:ERR_LOADGEN_UNKNOWN_RESPONSE_ID',
    notAnId: 'RangeError:ERR_LOADGEN_UNKNOWN_RESPONSE_ID',
    negative: 'RangeError:ERR_LOADGEN_UNKNOWN_RESPONSE_ID',
    duplicateInCall: 'RangeError:ERR_LOADGEN_ALREADY_COMPLETED',
    idsNotFloat64: 'TypeError:ERR_INVALID_ARG_TYPE',
    dataWithoutOffsets: 'TypeError:ERR_INVALID_ARG_TYPE',
    offsetsTooShort: 'RangeError:ERR_INVALID_ARG_VALUE',
    offsetsPastEnd: 'RangeError:ERR_INVALID_ARG_VALUE',
    nTokensLength: 'RangeError:ERR_INVALID_ARG_VALUE',
    responseWithoutId: 'TypeError:ERR_INVALID_ARG_TYPE',
    sizePastData: 'TypeError:ERR_INVALID_ARG_TYPE',
    firstTokenTwice: 'RangeError:ERR_LOADGEN_FIRST_TOKEN_REPEATED',
    completedTwice: 'RangeError:ERR_LOADGEN_ALREADY_COMPLETED',
    firstTokenAfterCompletion: 'RangeError:ERR_LOADGEN_ALREADY_COMPLETED',
  });
  // Nothing from the failed calls reached LoadGen: each sample was logged once, with its bytes.
  const entries = readAccuracyLog(result.logFiles.accuracy);
  assert.equal(entries.length, 16);
  for (const entry of entries) assert.deepEqual(entry.data, responseFor(entry.qslIndex));
  assert.equal(readSummary(result.logFiles.summary).errorCount, 0);
  // After the run, its ids are gone too.
  assert.throws(() => completeSamples(lastIds!), { code: 'ERR_LOADGEN_ALREADY_COMPLETED' });
});

test('an error message names the id, its position and what to do', () => {
  assert.throws(
    () => completeSamples(new Float64Array([2 ** 52, 2, 3])),
    /QuerySamplesComplete: response id 4503599627370496 \(entry 0 of 3\) is unknown: it was never issued in this thread\. Nothing in this call was completed\./,
  );
  assert.throws(
    () => completeSamples(new Float64Array([0.5])),
    /QuerySamplesComplete: response id 0\.500000 \(entry 0 of 1\) is not a response id: use the ids handed to issueQuery unchanged\./,
  );
});
