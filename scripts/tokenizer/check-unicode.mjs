// The Node side of check-unicode.sh: the same probes as check-unicode.py, cut by the compiled
// pre-tokenizer, written in the same format (code point offsets where each piece ends).
// Usage: node check-unicode.mjs OUT_FILE   (after `npx tsc -p .` in the project root)
import { writeFileSync } from 'node:fs';
import { forEachPreToken } from '../../dist/lib/llm/tokenizer-pretokenize.js';

const PROBES = ['x{}x', '1{}1', ' {} ', "x'{}x", "x'{}ex", "x'r{}x", "x'{}lx", "x'l{}x"];
const lines = [];
for (let cp = 0; cp < 0x110000; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const c = String.fromCodePoint(cp);
  const cuts = PROBES.map((probe) => {
    const ends = [];
    let end = 0;
    forEachPreToken(probe.replace('{}', c), (piece) => ends.push((end += [...piece].length)));
    return ends.join('.');
  });
  lines.push(`${cp.toString(16)} ${cuts.join('|')}`);
}
writeFileSync(process.argv[2], lines.join('\n') + '\n');
