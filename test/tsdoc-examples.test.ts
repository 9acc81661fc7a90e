// Every ```ts example in the published type declarations must compile under `tsc --strict`
// against the built package, as a user would paste it into their own project.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { packageRoot } from '../lib/package-paths.js';
import { tempDir } from './helpers.js';

interface Example {
  /** Where it comes from: the declaration file and the example's number in it. */
  origin: string;
  code: string;
}

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declarationFiles(path);
    return entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The ```ts blocks of a file's doc comments, with the comments' leading ` * ` taken off. */
function examplesIn(path: string): Example[] {
  const text = readFileSync(path, 'utf8');
  const examples: Example[] = [];
  for (const block of text.matchAll(/^\s*\* ```ts\n([\s\S]*?)^\s*\* ```$/gm)) {
    const code = block[1]!.replace(/^\s*\* ?/gm, '');
    examples.push({ origin: `${relative(packageRoot, path)} #${examples.length + 1}`, code });
  }
  return examples;
}

/** A project folder that depends on this package (a link to the built checkout) and @types/node. */
function consumerProject(): string {
  const dir = tempDir('tsdoc-examples');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module' }));
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(packageRoot, join(dir, 'node_modules', 'mlperf-loadgen-node'), 'dir');
  symlinkSync(join(packageRoot, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), 'dir');
  return dir;
}

/** Compiles each file under `tsc --strict` and returns the diagnostics, one formatted line each. */
function compile(files: string[], cwd: string): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    typeRoots: [join(cwd, 'node_modules', '@types')],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${relative(cwd, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : '';
    return `${where} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

test('every TSDoc example of the published declarations compiles under tsc --strict against the package', () => {
  const examples = declarationFiles(join(packageRoot, 'dist', 'lib')).flatMap(examplesIn);
  assert.ok(examples.length > 0, 'no ```ts example found in dist/lib/**/*.d.ts (were the comments stripped?)');
  const project = consumerProject();
  const files = examples.map((example, i) => {
    // Each example stands alone and imports what it uses, the way a reader would copy it.
    assert.match(
      example.code,
      /from 'mlperf-loadgen-node(\/loadgen)?'/,
      `${example.origin} imports nothing from the package`,
    );
    const file = join(project, `example-${i}.ts`);
    writeFileSync(file, `${example.code}\nexport {};\n`);
    return file;
  });
  const errors = compile(files, project);
  const named = errors.map((line) => {
    const index = Number(/example-(\d+)\.ts/.exec(line)?.[1]);
    return Number.isNaN(index) ? line : `${examples[index]!.origin}: ${line}`;
  });
  assert.deepEqual(named, []);
});

test('the example check catches the TS2322 a SUT returning completeSamples() gives', () => {
  // The example runTest once had: the callback returns a number where void or a promise is expected.
  const project = consumerProject();
  const file = join(project, 'bad.ts');
  writeFileSync(
    file,
    [
      "import { completeSamples, runTest } from 'mlperf-loadgen-node/loadgen';",
      'await runTest({',
      '  sut: { issueQuery: (ids) => completeSamples(ids) },',
      '  qsl: { totalSampleCount: 8 },',
      "  settings: { scenario: 'Offline' },",
      '});',
      'export {};',
    ].join('\n'),
  );
  const errors = compile([file], project);
  assert.ok(
    errors.some((line) => line.includes('TS2322')),
    errors.join('\n'),
  );
});
