/**
 * Removes the shape hints (GraphProto.value_info) from a serialized ONNX model, leaving every other
 * byte as it was. onnxruntime infers the shapes again; the hints matter only when they are wrong,
 * and then they hurt: its memory planner shares buffers between values whose hinted symbolic
 * shapes are equal, and a run where they differ fails with "Shape mismatch attempting to re-use
 * buffer". The model builder's MultiHeadAttention exports hint the repeated K/V of every layer as
 * [batch_size, sequence_length, hidden] although they span the whole past plus the new tokens, so
 * each decode step after a prompt fails until the hints are gone (seen with onnxruntime-node
 * 1.29 and Python onnxruntime 1.32, and in onnxruntime-genai 0.18's own generator on the
 * builder's `-p fp16 -e cpu` export of a small Llama).
 *
 * Only the top-level graph is rewritten (the builder emits no subgraphs); the reader understands
 * just enough of the wire format to copy fields it does not need.
 *
 * @packageDocumentation
 */
import { encodeVarint } from './protobuf.js';

const MODEL_GRAPH_FIELD = 7;
const GRAPH_VALUE_INFO_FIELD = 13;

/** One field of a message: its number and where its bytes (tag included) lie. */
interface FieldSpan {
  field: number;
  start: number;
  /** First byte of the payload (after the tag, and after the length for length-delimited fields). */
  payload: number;
  end: number;
}

function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
  }
  throw new RangeError(`malformed varint at byte ${at}`);
}

/** The fields of the message in `bytes[start, end)`, in order. */
function fields(bytes: Uint8Array, start: number, end: number): FieldSpan[] {
  const out: FieldSpan[] = [];
  let at = start;
  while (at < end) {
    const tag = readVarint(bytes, at);
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    let payload = tag.next;
    let next: number;
    switch (wire) {
      case 0:
        next = readVarint(bytes, payload).next;
        break;
      case 1:
        next = payload + 8;
        break;
      case 2: {
        const length = readVarint(bytes, payload);
        payload = length.next;
        next = payload + length.value;
        break;
      }
      case 5:
        next = payload + 4;
        break;
      default:
        throw new RangeError(`unsupported protobuf wire type ${wire} at byte ${at}`);
    }
    if (next > end) throw new RangeError(`field ${field} at byte ${at} runs past the end of its message`);
    out.push({ field, start: at, payload, end: next });
    at = next;
  }
  return out;
}

/**
 * `model` (ModelProto bytes) without its graph's value_info entries, and how many there were.
 * Returns the input itself when there are none. Throws RangeError on bytes that are not a
 * well-formed protobuf message.
 */
export function withoutValueInfo(model: Uint8Array): { bytes: Uint8Array; removed: number } {
  const top = fields(model, 0, model.length);
  const graph = top.find((f) => f.field === MODEL_GRAPH_FIELD);
  if (graph === undefined) return { bytes: model, removed: 0 };
  const graphFields = fields(model, graph.payload, graph.end);
  const kept = graphFields.filter((f) => f.field !== GRAPH_VALUE_INFO_FIELD);
  const removed = graphFields.length - kept.length;
  if (removed === 0) return { bytes: model, removed: 0 };

  const graphLength = kept.reduce((sum, f) => sum + f.end - f.start, 0);
  const graphHeader = [encodeVarint(MODEL_GRAPH_FIELD * 8 + 2), encodeVarint(graphLength)];
  const chunks: Uint8Array[] = [];
  for (const f of top) {
    if (f !== graph) chunks.push(model.subarray(f.start, f.end));
    else {
      chunks.push(...graphHeader);
      for (const k of kept) chunks.push(model.subarray(k.start, k.end));
    }
  }
  const bytes = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return { bytes, removed };
}
