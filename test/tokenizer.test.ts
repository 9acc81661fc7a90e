// The Llama-3.1 tokenizer against ids and decodes recorded from Hugging Face's `tokenizers`
// (test/fixtures/tokenizer/golden.json, made by scripts/tokenizer/make-golden.sh), plus the
// behaviour the golden file cannot show: options, errors, and loading other tokenizer files.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BYTE_TO_CHAR, toByteLevel } from '../lib/tokenizer/bytes.js';
import { bundledTokenizerPath } from '../lib/tokenizer/tokenizer-file.js';
import { forEachPreToken, forEachPreTokenByRegex, LLAMA3_SPLIT_PATTERN } from '../lib/tokenizer/pretokenize.js';
import { defaultTokenizer, LlamaTokenizer } from '../lib/tokenizer/tokenizer.js';

interface EncodeCase {
  name: string;
  text: string;
  ids: number[];
  preTokens: string[];
  decodeSkip: string;
  decodeKeep: string;
}
interface DecodeCase {
  name: string;
  ids: number[];
  decodeSkip: string;
  decodeKeep: string;
}
interface Golden {
  tokenizerJsonSha256: string;
  encode: EncodeCase[];
  decode: DecodeCase[];
}

const golden = JSON.parse(
  readFileSync(new URL('../../test/fixtures/tokenizer/golden.json', import.meta.url), 'utf8'),
) as Golden;
const tok = defaultTokenizer();
const SPECIAL_MARK = '<|';

function expectCode(code: string, pattern?: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.equal((error as { code?: unknown }).code, code);
    if (pattern) assert.match((error as Error).message, pattern);
    return true;
  };
}

describe('golden file from Hugging Face tokenizers', () => {
  test('was made from the bundled tokenizer.json', () => {
    const sha = createHash('sha256').update(readFileSync(bundledTokenizerPath())).digest('hex');
    assert.equal(sha, golden.tokenizerJsonSha256, 'the vocabulary changed: run scripts/tokenizer/make-golden.sh');
    assert.ok(golden.encode.length >= 60, `only ${golden.encode.length} texts in the golden file`);
  });

  for (const c of golden.encode) {
    test(`encode ${c.name}`, () => {
      // Pieces first: BPE can hide a wrong split by happening to give the same ids.
      const pieces: string[] = [];
      forEachPreToken(c.text, (piece) => pieces.push(toByteLevel(piece)));
      assert.deepEqual(pieces, c.preTokens);
      assert.deepEqual(Array.from(tok.encode(c.text)), c.ids);
      assert.equal(tok.decode(c.ids), c.decodeSkip);
      assert.equal(tok.decode(c.ids, { skipSpecialTokens: false }), c.decodeKeep);
    });
  }

  for (const c of golden.decode) {
    test(`decode ${c.name}`, () => {
      assert.equal(tok.decode(c.ids), c.decodeSkip);
      assert.equal(tok.decode(new Int32Array(c.ids), { skipSpecialTokens: false }), c.decodeKeep);
    });
  }
});

describe('LlamaTokenizer', () => {
  test('has the Llama-3.1 constants', () => {
    assert.equal(tok.vocabSize, 128256);
    assert.equal(tok.bosId, 128000);
    assert.deepEqual(tok.eosIds, [128001, 128008, 128009]);
    assert.equal(tok.isSpecial(128000), true);
    assert.equal(tok.isSpecial(128255), true);
    assert.equal(tok.isSpecial(127999), false);
    assert.equal(tok.isSpecial(0), false);
    assert.equal(tok.isSpecial(128256), false);
    assert.equal(tok.isSpecial(-1), false);
    assert.equal(defaultTokenizer(), tok);
  });

  test('addBos: false leaves out exactly the leading BOS', () => {
    for (const c of golden.encode) {
      assert.equal(c.ids[0], tok.bosId, c.name);
      assert.deepEqual(Array.from(tok.encode(c.text, { addBos: false })), c.ids.slice(1), c.name);
    }
    assert.equal(tok.encode('').length, 1);
    assert.equal(tok.encode('', { addBos: false }).length, 0);
  });

  test('decoding gives back every text without special-token strings', () => {
    let checked = 0;
    for (const c of golden.encode) {
      if (c.text.includes(SPECIAL_MARK)) continue;
      assert.equal(tok.decode(tok.encode(c.text)), c.text, c.name);
      assert.equal(tok.decode(tok.encode(c.text), { skipSpecialTokens: false }), `<|begin_of_text|>${c.text}`, c.name);
      checked++;
    }
    assert.ok(checked >= 60);
  });

  test('special ids decode to their names unless skipped', () => {
    const hello = Array.from(tok.encode('Hello', { addBos: false }));
    const ids = [128000, ...hello, 128006, 128009, 128008, 128001];
    assert.equal(tok.decode(ids), 'Hello');
    assert.equal(tok.decode(ids, { skipSpecialTokens: true }), 'Hello');
    assert.equal(
      tok.decode(ids, { skipSpecialTokens: false }),
      '<|begin_of_text|>Hello<|start_header_id|><|eot_id|><|eom_id|><|end_of_text|>',
    );
  });

  test('the Llama-3.1 names replace the Llama-3.0 placeholders', () => {
    assert.deepEqual(
      Array.from(tok.encode('<|eom_id|><|python_tag|><|finetune_right_pad_id|>', { addBos: false })),
      [128008, 128010, 128004],
    );
    const old = Array.from(tok.encode('<|reserved_special_token_4|>', { addBos: false }));
    assert.ok(old.length > 1 && old.every((id) => id < 128000), 'the old name is plain text now');
  });

  test('a lone surrogate is encoded as U+FFFD', () => {
    assert.deepEqual(Array.from(tok.encode('a\ud800b')), Array.from(tok.encode('a\ufffdb')));
    assert.deepEqual(Array.from(tok.encode('\udc00')), Array.from(tok.encode('\ufffd')));
  });

  test('decode refuses ids outside the vocabulary', () => {
    for (const id of [128256, -1, 1.5, Number.NaN, 2 ** 31]) {
      assert.throws(() => tok.decode([791, id]), expectCode('ERR_TOKENIZER_ID', /position 1 .*vocabulary/));
    }
  });

  test('encode refuses what is not a string', () => {
    assert.throws(() => tok.encode(42 as unknown as string), expectCode('ERR_TOKENIZER_INPUT'));
  });
});

describe('loading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenizer-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * A small tokenizer.json with Llama 3's pipeline: the 256 byte characters, a few merges whose
   * order is not the order their tokens are built in, and the named special tokens.
   */
  function tinyTokenizer(): Record<string, unknown> {
    const vocab: Record<string, number> = {};
    BYTE_TO_CHAR.forEach((ch, b) => (vocab[ch] = b));
    for (const token of ['bc', 'ab', 'abc', 'cd', 'xyz']) vocab[token] = Object.keys(vocab).length;
    const added = (id: number, content: string) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    });
    return {
      version: '1.0',
      added_tokens: [
        added(300, '<|begin_of_text|>'),
        added(301, '<|end_of_text|>'),
        added(310, '<|reserved_special_token_4|>'),
        added(311, '<|eot_id|>'),
        added(128008, '<|reserved_special_token_4|>'),
      ],
      normalizer: null,
      pre_tokenizer: {
        type: 'Sequence',
        pretokenizers: [
          { type: 'Split', pattern: { Regex: LLAMA3_SPLIT_PATTERN }, behavior: 'Isolated', invert: false },
          { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
        ],
      },
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
        special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [300], tokens: ['<|begin_of_text|>'] } },
      },
      decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: { type: 'BPE', dropout: null, ignore_merges: true, vocab, merges: ['b c', 'a b', ['c', 'd'], 'ab c'] },
    };
  }

  function writeTokenizer(name: string, content: string): string {
    const folder = join(dir, name);
    mkdirSync(folder);
    writeFileSync(join(folder, 'tokenizer.json'), content);
    return folder;
  }

  test('a model folder or its tokenizer.json', () => {
    const folder = writeTokenizer('tiny', JSON.stringify(tinyTokenizer()));
    for (const path of [folder, join(folder, 'tokenizer.json')]) {
      const tiny = LlamaTokenizer.load(path);
      assert.equal(tiny.vocabSize, 128009);
      assert.equal(tiny.bosId, 300);
      // 128008's placeholder takes the 3.1 name; 310 keeps the same placeholder as its own.
      assert.deepEqual(tiny.eosIds, [301, 128008, 311]);
      const code = (text: string) => Array.from(tiny.encode(text, { addBos: false }));
      const ch = (s: string) => s.charCodeAt(0);
      assert.deepEqual(code('abc'), [258], 'a whole vocabulary entry skips merging');
      assert.deepEqual(code('abcd'), [ch('a'), 256, ch('d')], '"b c" ranks first, and no merge joins a+bc or bc+d');
      assert.deepEqual(code('abcab'), [ch('a'), 256, 257], 'the first "a b" went stale when b joined c');
      assert.deepEqual(code('cdc'), [259, ch('c')]);
      assert.deepEqual(code('xyz'), [260]);
      assert.deepEqual(code('xy'), [ch('x'), ch('y')]);
      assert.deepEqual(Array.from(tiny.encode('ab<|eom_id|>')), [300, 257, 128008]);
      assert.equal(
        tiny.decode([300, 257, 128008, 310], { skipSpecialTokens: false }),
        '<|begin_of_text|>ab<|eom_id|><|reserved_special_token_4|>',
      );
      assert.equal(tiny.decode([300, 257, 128008]), 'ab');
      assert.throws(() => tiny.decode([5000]), expectCode('ERR_TOKENIZER_ID'), 'a hole between ids is no token');
    }
  });

  test('a missing file names the path and the way out', () => {
    const missing = join(dir, 'nowhere', 'tokenizer.json');
    assert.throws(
      () => LlamaTokenizer.load(missing),
      expectCode('ERR_TOKENIZER_LOAD', /nowhere.*ENOENT.*bundled vocabulary/),
    );
    const empty = join(dir, 'empty-folder');
    mkdirSync(empty);
    assert.throws(() => LlamaTokenizer.load(empty), expectCode('ERR_TOKENIZER_LOAD', /empty-folder.*tokenizer\.json/));
  });

  test('a file that is not JSON', () => {
    const folder = writeTokenizer(
      'lfs-pointer',
      'version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 9085698\n',
    );
    assert.throws(() => LlamaTokenizer.load(folder), expectCode('ERR_TOKENIZER_LOAD', /lfs-pointer.*not valid JSON/));
    const truncated = writeTokenizer('truncated', JSON.stringify(tinyTokenizer()).slice(0, 500));
    assert.throws(() => LlamaTokenizer.load(truncated), expectCode('ERR_TOKENIZER_LOAD', /truncated.*not valid JSON/));
  });

  test('JSON that is not a Llama 3 tokenizer', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reaches into tokenizer.json's loose shape
    const variants: [string, (spec: Record<string, any>) => void, RegExp][] = [
      ['wordpiece', (s) => (s['model'].type = 'WordPiece'), /model\.type/],
      ['other-regex', (s) => (s['pre_tokenizer'].pretokenizers[0].pattern.Regex = '\\s+'), /Llama 3 regex/],
      ['normalizer', (s) => (s['normalizer'] = { type: 'NFC' }), /normalizer/],
      ['lost-byte', (s) => delete s['model'].vocab['Ġ'], /byte-level character/],
      ['bad-merge', (s) => s['model'].merges.push('q r s'), /merge 4/],
      ['unknown-merge', (s) => s['model'].merges.push('x yz'), /merge 4/],
      ['lstrip', (s) => (s['added_tokens'][3].lstrip = true), /eot_id.*lstrip/],
      ['no-bos', (s) => (s['added_tokens'][0].content = '<s>'), /begin_of_text/],
    ];
    for (const [name, change, pattern] of variants) {
      const spec = tinyTokenizer();
      change(spec);
      const folder = writeTokenizer(name, JSON.stringify(spec));
      assert.throws(() => LlamaTokenizer.load(folder), expectCode('ERR_TOKENIZER_LOAD', pattern), name);
    }
    const array = writeTokenizer('array', '[]');
    assert.throws(() => LlamaTokenizer.load(array), expectCode('ERR_TOKENIZER_LOAD', /top level/));
  });
});

test('the pre-token scanner splits as the split regex does, and a 4 MiB one-word text without a stack overflow', () => {
  const split = (f: typeof forEachPreToken, text: string): string[] => {
    const pieces: string[] = [];
    f(text, (piece) => pieces.push(piece));
    return pieces;
  };
  const parts = ['a', 'Z', 'é', 'ж', '中', '1', '٣', 'Ⅳ', ' ', '\t', '\n', '\r', '\r\n', '\u00a0', '\u3000', '\u0085'];
  parts.push("'", "'s", "'S", "'ll", "'RE", "'\u017f", '!', '.', '🚀', '\ud800', '\u088f', '\v', '  \n', 'x\n ');
  let seed = 12345;
  const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let round = 0; round < 20_000; round++) {
    let text = '';
    for (let k = 1 + next(10); k > 0; k--) text += parts[next(parts.length)];
    assert.deepEqual(split(forEachPreToken, text), split(forEachPreTokenByRegex, text), JSON.stringify(text));
  }
  const word = 'a'.repeat(4 * 2 ** 20);
  assert.deepEqual(split(forEachPreToken, word), [word]);
  assert.deepEqual(split(forEachPreToken, ` ${word}!!\n`), [` ${word}`, '!!\n']);
});
