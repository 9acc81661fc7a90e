/**
 * A small helper for writing ONNX graphs by hand: nodes get unique output names, constants
 * become initializers (shared when equal), and the result is an {@link OnnxGraph}.
 *
 * @packageDocumentation
 */
import {
  type OnnxAttribute,
  OnnxDataType,
  type OnnxDataTypeValue,
  type OnnxDim,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-proto.js';
import { float16Bits } from '../util/float16.js';

/** Attribute values by name: integers, lists of ints, strings. */
export type AttributeMap = Readonly<Record<string, number | readonly number[] | string>>;

function toAttributes(map: AttributeMap | undefined): OnnxAttribute[] {
  if (map === undefined) return [];
  return Object.entries(map).map(([name, value]): OnnxAttribute => {
    if (typeof value === 'number') return { name, kind: 'int', value };
    if (typeof value === 'string') return { name, kind: 'string', value };
    return { name, kind: 'ints', value };
  });
}

function rawBytes(array: Float32Array | BigInt64Array | Uint16Array | Uint8Array): Uint8Array {
  // Typed arrays are little-endian on every platform Node supports; ONNX raw_data is little-endian.
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Builds one graph. Node outputs are named `<prefix>/<op>_<n>` unless named explicitly. */
export class GraphBuilder {
  readonly #nodes: OnnxNode[] = [];
  readonly #initializers: OnnxTensor[] = [];
  readonly #inputs: OnnxValueInfo[] = [];
  readonly #outputs: OnnxValueInfo[] = [];
  readonly #valueInfo: OnnxValueInfo[] = [];
  readonly #constants = new Map<string, string>();
  #counter = 0;
  #scope = '';

  /** Prefixes the names of nodes added inside `body` (e.g. one decoder layer). */
  scoped<T>(scope: string, body: () => T): T {
    const outer = this.#scope;
    this.#scope = outer === '' ? scope : `${outer}/${scope}`;
    try {
      return body();
    } finally {
      this.#scope = outer;
    }
  }

  /** Declares a graph input. */
  input(name: string, dataType: OnnxDataTypeValue, shape: readonly OnnxDim[]): string {
    this.#inputs.push({ name, dataType, shape });
    return name;
  }

  /** Declares a graph output; the value must be produced under that exact name. */
  output(name: string, dataType: OnnxDataTypeValue, shape: readonly OnnxDim[]): void {
    this.#outputs.push({ name, dataType, shape });
  }

  /** Records a type and shape for an intermediate value (written as GraphProto.value_info). */
  annotate(name: string, dataType: OnnxDataTypeValue, shape: readonly OnnxDim[]): string {
    this.#valueInfo.push({ name, dataType, shape });
    return name;
  }

  /** Adds a weight or other initializer under `name`. */
  initializer(
    name: string,
    dataType: OnnxDataTypeValue,
    dims: readonly number[],
    data: Float32Array | BigInt64Array | Uint16Array | Uint8Array,
  ): string {
    this.#initializers.push({ name, dataType, dims, raw: rawBytes(data) });
    return name;
  }

  /** An int64 constant (a scalar when `dims` is []), shared with equal constants. */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.#constant(
      'i64',
      OnnxDataType.INT64,
      dims,
      BigInt64Array.from(values, (v) => BigInt(v)),
      values.join(','),
    );
  }

  /** A float32 constant (a scalar when `dims` is []), shared with equal constants. */
  float32(values: readonly number[] | Float32Array, dims: readonly number[] = [values.length]): string {
    const data = Float32Array.from(values);
    // Key on the exact bits so -0, Infinity and NaN constants stay distinct.
    return this.#constant(
      'f32',
      OnnxDataType.FLOAT,
      dims,
      data,
      Array.from(new Uint32Array(data.buffer), (v) => v.toString(16)).join(','),
    );
  }

  /** A float16 constant (values rounded to nearest even; a scalar when `dims` is []), shared with equal constants. */
  float16(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const data = Uint16Array.from(values, float16Bits);
    return this.#constant('f16', OnnxDataType.FLOAT16, dims, data, Array.from(data, (v) => v.toString(16)).join(','));
  }

  #constant(
    kind: string,
    dataType: OnnxDataTypeValue,
    dims: readonly number[],
    data: Float32Array | BigInt64Array | Uint16Array,
    content: string,
  ): string {
    const key = `${kind}[${dims.join('x')}]:${content}`;
    let name = this.#constants.get(key);
    if (name === undefined) {
      name = `const_${kind}_${this.#constants.size}`;
      this.#constants.set(key, name);
      this.initializer(name, dataType, dims, data);
    }
    return name;
  }

  /** Adds a node with one output and returns the output's name (`outputName` if given). */
  op(opType: string, inputs: readonly string[], attributes?: AttributeMap, outputName?: string): string {
    return this.opN(opType, inputs, 1, attributes, outputName === undefined ? undefined : [outputName])[0]!;
  }

  /**
   * Adds a node with `outputCount` outputs and returns their names; `domain` names a non-standard
   * operator set (which the model must then import).
   */
  opN(
    opType: string,
    inputs: readonly string[],
    outputCount: number,
    attributes?: AttributeMap,
    outputNames?: readonly string[],
    domain?: string,
  ): string[] {
    const id = this.#counter++;
    const base = this.#scope === '' ? `${opType}_${id}` : `${this.#scope}/${opType}_${id}`;
    const outputs =
      outputNames !== undefined
        ? [...outputNames]
        : Array.from({ length: outputCount }, (_, i) => `${base}/output_${i}`);
    this.#nodes.push({
      opType,
      inputs,
      outputs,
      name: base,
      attributes: toAttributes(attributes),
      ...(domain !== undefined ? { domain } : {}),
    });
    return outputs;
  }

  /** The finished graph. */
  build(name: string): OnnxGraph {
    return {
      name,
      nodes: this.#nodes,
      initializers: this.#initializers,
      inputs: this.#inputs,
      outputs: this.#outputs,
      ...(this.#valueInfo.length > 0 ? { valueInfo: this.#valueInfo } : {}),
    };
  }
}
