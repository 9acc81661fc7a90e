// The README's CLI lines are run as written: the accuracy run and the evaluate that follows it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../lib/package-paths.js';
import { tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));

/** The README line that starts with `prefix`, as shell words without its trailing comment. */
function readmeCommand(prefix: string): string[] {
  const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith(prefix));
  assert.ok(line, `README has no line starting with "${prefix}"`);
  const words = line
    .replace(/\s+#.*$/, '')
    .trim()
    .split(/\s+/);
  assert.equal(words[0], 'mlperf-llm');
  return words.slice(1);
}

test("the README's accuracy run then evaluate work as written", () => {
  const cwd = tempDir('readme-accuracy');
  const accuracy = readmeCommand('mlperf-llm run --mode accuracy');
  const evaluate = readmeCommand('mlperf-llm evaluate');
  // Fewer new tokens keep the run short; the pair's own flags are the README's.
  const run = spawnSync(process.execPath, [CLI, ...accuracy, '--max-new-tokens', '8'], { cwd, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const scored = spawnSync(process.execPath, [CLI, ...evaluate], { cwd, encoding: 'utf8' });
  assert.equal(scored.status, 0, scored.stderr);
  assert.match(scored.stdout, /rouge1/);
});
