/**
 * A minimal hand-written ONNX protobuf encoder: just enough to build the tiny linear-algebra graphs
 * (Cast, Transpose, MatMul, Gemm, Sub, Mul) that cftkit runs on onnxruntime-node. Avoids a runtime
 * dependency on a protobuf library. Field numbers follow onnx.proto (IR version 7, opset 13).
 */

/** ONNX TensorProto.DataType values used here. */
export const OnnxType = { FLOAT: 1, INT64: 7, DOUBLE: 11 } as const;
export type OnnxElemType = (typeof OnnxType)[keyof typeof OnnxType];

class ProtoWriter {
  private readonly parts: number[] = [];

  varint(value: number): this {
    let v = value;
    while (v > 0x7f) {
      this.parts.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.parts.push(v);
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  int(field: number, value: number): this {
    return this.tag(field, 0).varint(value);
  }

  bytes(field: number, data: Uint8Array | number[]): this {
    this.tag(field, 2).varint(data.length);
    for (const b of data) this.parts.push(b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, inner: ProtoWriter): this {
    return this.bytes(field, inner.finish());
  }

  float32(field: number, value: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(new Float32Array([value]).buffer);
    for (const x of b) this.parts.push(x);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export type OnnxAttribute =
  | { name: string; kind: "int"; value: number }
  | { name: string; kind: "float"; value: number }
  | { name: string; kind: "ints"; value: number[] };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: OnnxAttribute[];
}

export interface OnnxValue {
  name: string;
  type: OnnxElemType;
  /** Each dimension a fixed size or a symbolic name. */
  shape: (number | string)[];
}

export interface OnnxGraphSpec {
  name: string;
  nodes: OnnxNode[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
}

function valueInfo(v: OnnxValue): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === "number") dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, v.type).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

function attribute(a: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  if (a.kind === "int") w.int(3, a.value).int(20, 2);
  else if (a.kind === "float") w.float32(2, a.value).int(20, 1);
  else {
    for (const x of a.value) w.int(8, x);
    w.int(20, 7);
  }
  return w;
}

/** Serialises a graph as an ONNX ModelProto (IR 7, default domain opset 13). */
export function encodeOnnxModel(spec: OnnxGraphSpec): Uint8Array {
  const graph = new ProtoWriter();
  spec.nodes.forEach((n, i) => {
    const node = new ProtoWriter();
    for (const x of n.inputs) node.string(1, x);
    for (const x of n.outputs) node.string(2, x);
    node.string(3, `${n.op}_${i}`).string(4, n.op);
    for (const a of n.attributes ?? []) node.message(5, attribute(a));
    graph.message(1, node);
  });
  graph.string(2, spec.name);
  for (const v of spec.inputs) graph.message(11, valueInfo(v));
  for (const v of spec.outputs) graph.message(12, valueInfo(v));
  const opset = new ProtoWriter().string(1, "").int(2, 13);
  return new ProtoWriter().int(1, 7).string(2, "cftkit").message(7, graph).message(8, opset).finish();
}
