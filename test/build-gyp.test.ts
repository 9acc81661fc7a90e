// binding.gyp builds the same addon as CMakeLists.txt: build it with node-gyp in a scratch copy
// of the package and run a test through the TypeScript layer against that build.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../lib/package-paths.js';
import { tempDir } from './helpers.js';

/** Node's own headers, next to the node binary (official builds and distro packages ship them). */
function nodeHeadersDir(): string | undefined {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

test('binding.gyp builds the addon with node-gyp, and that build runs a test', { timeout: 600_000 }, () => {
  const scratch = tempDir('gyp');
  for (const entry of ['package.json', 'binding.gyp', 'native', 'scripts', 'dist'])
    cpSync(join(packageRoot, entry), join(scratch, entry), { recursive: true });
  mkdirSync(join(scratch, 'third_party'));
  for (const lock of ['loadgen.lock.json', 'onnxruntime.lock.json'])
    cpSync(join(packageRoot, 'third_party', lock), join(scratch, 'third_party', lock));
  symlinkSync(join(packageRoot, 'node_modules'), join(scratch, 'node_modules'), 'dir');

  const nodeGyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  const headers = nodeHeadersDir();
  const build = spawnSync(
    process.execPath,
    [nodeGyp, 'rebuild', '-j', '2', ...(headers ? [`--nodedir=${headers}`] : [])],
    {
      cwd: scratch,
      encoding: 'utf8',
      // The scratch copy uses the LoadGen source and ONNX Runtime headers this checkout already
      // fetched and verified.
      env: {
        ...process.env,
        MLPERF_LOADGEN_SRC: join(packageRoot, 'third_party', 'loadgen'),
        MLPERF_LOADGEN_ORT_INCLUDE: join(packageRoot, 'third_party', 'onnxruntime', 'include'),
      },
    },
  );
  assert.equal(build.status, 0, `node-gyp failed:\n${build.stdout.slice(-3000)}\n${build.stderr.slice(-3000)}`);
  assert.ok(existsSync(join(scratch, 'build', 'Release', 'mlperf_loadgen.node')));

  const script = join(scratch, 'run.mjs');
  writeFileSync(
    script,
    `import { runTest, completeSamples, loadgenVersion } from './dist/lib/index.js';
     import { createRequire } from 'node:module';
     const loaded = Object.keys(createRequire(import.meta.url).cache).filter((file) => file.endsWith('.node'));
     const result = await runTest({
       sut: { issueQuery: (ids) => { completeSamples(ids); } },
       qsl: { totalSampleCount: 16 },
       settings: { scenario: 'Offline', mode: 'AccuracyOnly' },
       log: { outdir: 'logs' },
     });
     console.log(JSON.stringify({ loaded, version: loadgenVersion, completed: result.samplesCompleted }));`,
  );
  const run = spawnSync(process.execPath, [script], { cwd: scratch, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
    loaded: string[];
    version: string;
    completed: number;
  };
  assert.deepEqual(report.loaded, [join(scratch, 'build', 'Release', 'mlperf_loadgen.node')]);
  assert.equal(report.version, '6.0.17');
  assert.equal(report.completed, 16);
});
