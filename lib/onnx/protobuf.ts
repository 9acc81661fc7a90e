/**
 * A minimal protocol-buffers wire-format writer: just what serializing an ONNX model needs
 * (varints, 32-bit floats, length-delimited bytes and nested messages). Messages are kept as
 * lists of byte chunks so large tensors are never copied until the final file is assembled.
 *
 * @packageDocumentation
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

/** Bytes of a varint; negative numbers are written as 64-bit two's complement, as protobuf does for int64. */
export function encodeVarint(value: number | bigint): Uint8Array {
  let v = typeof value === 'bigint' ? value : BigInt(value);
  if (typeof value === 'number' && !Number.isSafeInteger(value))
    throw new RangeError(`varint value ${value} is not a safe integer`);
  if (v < 0n) v = BigInt.asUintN(64, v);
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Uint8Array.from(bytes);
}

/** One protobuf message under construction; fields are appended in call order. */
export class ProtoMessage {
  readonly #chunks: Uint8Array[] = [];
  #length = 0;

  /** Encoded size in bytes. */
  get length(): number {
    return this.#length;
  }

  /** The encoded chunks, in order (concatenated, they are the message). */
  get chunks(): readonly Uint8Array[] {
    return this.#chunks;
  }

  #push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  #tag(field: number, wireType: number): void {
    this.#push(encodeVarint(field * 8 + wireType));
  }

  /** A varint field (int32, int64, enum, bool). */
  varint(field: number, value: number | bigint): this {
    this.#tag(field, WIRE_VARINT);
    this.#push(encodeVarint(value));
    return this;
  }

  /** A `float` field (fixed 32 bits, little-endian). */
  float(field: number, value: number): this {
    this.#tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.#push(bytes);
    return this;
  }

  /** A `bytes` field. The array is kept by reference, not copied. */
  bytes(field: number, data: Uint8Array): this {
    this.#tag(field, WIRE_LENGTH_DELIMITED);
    this.#push(encodeVarint(data.length));
    this.#push(data);
    return this;
  }

  /** A `string` field, UTF-8. */
  string(field: number, text: string): this {
    return this.bytes(field, utf8.encode(text));
  }

  /** A nested message field. */
  message(field: number, message: ProtoMessage): this {
    this.#tag(field, WIRE_LENGTH_DELIMITED);
    this.#push(encodeVarint(message.length));
    for (const chunk of message.chunks) this.#push(chunk);
    return this;
  }

  /** The whole message as one byte array. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}
