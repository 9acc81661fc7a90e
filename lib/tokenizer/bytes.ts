/**
 * The ByteLevel alphabet: every byte 0-255 stands as one printable character, so byte-level BPE
 * vocabularies can be stored as JSON strings. Bytes that are already printable Latin-1 keep their
 * own character; the others (controls, space, soft hyphen...) take U+0100 onwards, in byte order.
 *
 * @packageDocumentation
 */

function buildTable(): string[] {
  const table = new Array<string>(256);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    table[b] = String.fromCharCode(printable ? b : 0x100 + shifted++);
  }
  return table;
}

/** `BYTE_TO_CHAR[b]` is the character that stands for byte `b`. */
export const BYTE_TO_CHAR: readonly string[] = buildTable();

// Indexed by UTF-16 code unit; -1 where the unit stands for no byte. The alphabet ends at U+0143.
const CHAR_TO_BYTE: Int16Array = (() => {
  const table = new Int16Array(0x144).fill(-1);
  BYTE_TO_CHAR.forEach((ch, b) => (table[ch.charCodeAt(0)] = b));
  return table;
})();

/**
 * Spells the UTF-8 bytes of `text` in the ByteLevel alphabet. A lone surrogate is encoded as
 * U+FFFD, as TextEncoder does (Python cannot even hold one, so there is no reference to follow).
 */
export function toByteLevel(text: string): string {
  const B = BYTE_TO_CHAR;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out += B[c];
    } else if (c < 0x800) {
      out += B[0xc0 | (c >> 6)]! + B[0x80 | (c & 0x3f)]!;
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const low = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          out +=
            B[0xf0 | (cp >> 18)]! +
            B[0x80 | ((cp >> 12) & 0x3f)]! +
            B[0x80 | ((cp >> 6) & 0x3f)]! +
            B[0x80 | (cp & 0x3f)]!;
          i++;
          continue;
        }
        c = 0xfffd;
      }
      out += B[0xe0 | (c >> 12)]! + B[0x80 | ((c >> 6) & 0x3f)]! + B[0x80 | (c & 0x3f)]!;
    }
  }
  return out;
}

/**
 * The bytes a token stands for, the way Hugging Face's ByteLevel decoder reads it: each character
 * maps back to its byte, and a token holding any character outside the alphabet (an added token
 * such as `<|eot_id|>` could) is taken as its own UTF-8 text instead.
 */
export function tokenBytes(token: string): Uint8Array {
  const bytes = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    const b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c]! : -1;
    if (b < 0) return new TextEncoder().encode(token);
    bytes[i] = b;
  }
  return bytes;
}
