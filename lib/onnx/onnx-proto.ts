/**
 * ONNX protobuf messages (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto,
 * AttributeProto, OperatorSetIdProto) encoded with the field numbers of onnx.proto. Only the
 * fields a plain inference model needs are written.
 *
 * @packageDocumentation
 */
import { ProtoMessage } from './protobuf.js';

/** TensorProto.DataType values used here. */
export const OnnxDataType = {
  FLOAT: 1,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  BFLOAT16: 16,
} as const;

/** One of {@link OnnxDataType}'s values. */
export type OnnxDataTypeValue = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** A tensor with its data as little-endian raw bytes (TensorProto.raw_data). */
export interface OnnxTensor {
  name: string;
  dataType: OnnxDataTypeValue;
  dims: readonly number[];
  raw: Uint8Array;
}

/** A node attribute; the kind picks the AttributeProto field. */
export type OnnxAttribute =
  | { name: string; kind: 'int'; value: number }
  | { name: string; kind: 'float'; value: number }
  | { name: string; kind: 'ints'; value: readonly number[] }
  | { name: string; kind: 'string'; value: string }
  | { name: string; kind: 'tensor'; value: OnnxTensor };

/** A graph node (standard domain unless `domain` is set). */
export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attributes?: readonly OnnxAttribute[];
}

/** A dimension: a fixed size or a symbolic name. */
export type OnnxDim = number | string;

/** A typed graph input or output. */
export interface OnnxValueInfo {
  name: string;
  dataType: OnnxDataTypeValue;
  shape: readonly OnnxDim[];
}

/** A whole graph. */
export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  /** Shape annotations of intermediate values (GraphProto.value_info); optional hints. */
  valueInfo?: readonly OnnxValueInfo[];
}

/** A model: IR version, opsets and the graph. */
export interface OnnxModel {
  irVersion: number;
  opsets: readonly { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString?: string;
  metadata?: Readonly<Record<string, string>>;
  graph: OnnxGraph;
}

// AttributeProto.AttributeType values.
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_TENSOR = 4;
const ATTR_INTS = 7;

/** Encodes a TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9. */
export function encodeTensor(tensor: OnnxTensor): ProtoMessage {
  const message = new ProtoMessage();
  // dims is a non-packed repeated int64 in onnx.proto (proto2): one tag per element.
  for (const dim of tensor.dims) message.varint(1, dim);
  message.varint(2, tensor.dataType);
  message.string(8, tensor.name);
  message.bytes(9, tensor.raw);
  return message;
}

/** Encodes an AttributeProto: name = 1, f = 2, i = 3, s = 4, t = 5, ints = 8, type = 20. */
export function encodeAttribute(attribute: OnnxAttribute): ProtoMessage {
  const message = new ProtoMessage().string(1, attribute.name);
  switch (attribute.kind) {
    case 'float':
      message.float(2, attribute.value).varint(20, ATTR_FLOAT);
      break;
    case 'int':
      message.varint(3, attribute.value).varint(20, ATTR_INT);
      break;
    case 'string':
      message.string(4, attribute.value).varint(20, ATTR_STRING);
      break;
    case 'tensor':
      message.message(5, encodeTensor(attribute.value)).varint(20, ATTR_TENSOR);
      break;
    case 'ints':
      for (const v of attribute.value) message.varint(8, v);
      message.varint(20, ATTR_INTS);
      break;
  }
  return message;
}

/** Encodes a NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5, domain = 7. */
export function encodeNode(node: OnnxNode): ProtoMessage {
  const message = new ProtoMessage();
  for (const input of node.inputs) message.string(1, input);
  for (const output of node.outputs) message.string(2, output);
  if (node.name !== undefined) message.string(3, node.name);
  message.string(4, node.opType);
  for (const attribute of node.attributes ?? []) message.message(5, encodeAttribute(attribute));
  if (node.domain !== undefined && node.domain !== '') message.string(7, node.domain);
  return message;
}

/**
 * Encodes a ValueInfoProto (name = 1, type = 2) with TypeProto.tensor_type = 1 →
 * elem_type = 1, shape = 2 → dim = 1 → dim_value = 1 | dim_param = 2.
 */
export function encodeValueInfo(info: OnnxValueInfo): ProtoMessage {
  const shape = new ProtoMessage();
  for (const dim of info.shape) {
    const d = new ProtoMessage();
    if (typeof dim === 'number') d.varint(1, dim);
    else d.string(2, dim);
    shape.message(1, d);
  }
  const tensorType = new ProtoMessage().varint(1, info.dataType).message(2, shape);
  const type = new ProtoMessage().message(1, tensorType);
  return new ProtoMessage().string(1, info.name).message(2, type);
}

/** Encodes a GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12, value_info = 13. */
export function encodeGraph(graph: OnnxGraph): ProtoMessage {
  const message = new ProtoMessage();
  for (const node of graph.nodes) message.message(1, encodeNode(node));
  message.string(2, graph.name);
  for (const tensor of graph.initializers) message.message(5, encodeTensor(tensor));
  for (const input of graph.inputs) message.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) message.message(12, encodeValueInfo(output));
  for (const info of graph.valueInfo ?? []) message.message(13, encodeValueInfo(info));
  return message;
}

/**
 * Encodes a ModelProto: ir_version = 1, producer_name = 2, producer_version = 3,
 * doc_string = 6, graph = 7, opset_import = 8 (OperatorSetIdProto: domain = 1, version = 2),
 * metadata_props = 14 (StringStringEntryProto: key = 1, value = 2).
 */
export function encodeModel(model: OnnxModel): ProtoMessage {
  const message = new ProtoMessage().varint(1, model.irVersion);
  message.string(2, model.producerName).string(3, model.producerVersion);
  if (model.docString !== undefined) message.string(6, model.docString);
  message.message(7, encodeGraph(model.graph));
  for (const opset of model.opsets) {
    const entry = new ProtoMessage();
    if (opset.domain !== '') entry.string(1, opset.domain);
    message.message(8, entry.varint(2, opset.version));
  }
  for (const [key, value] of Object.entries(model.metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    message.message(14, new ProtoMessage().string(1, key).string(2, value));
  }
  return message;
}
