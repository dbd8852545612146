/**
 * A minimal ONNX ModelProto encoder (IR 8, default-domain opset 13 unless asked): nodes with
 * int/float/ints/string attributes,
 * typed graph inputs and outputs with symbolic dimensions. Field numbers follow onnx.proto.
 * Weights are passed as graph inputs at run time, so no TensorProto initializers are needed.
 */

export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

class Proto {
  private readonly chunks: Uint8Array[] = [];
  private readonly buf: number[] = [];

  private flush(): void {
    if (this.buf.length > 0) {
      this.chunks.push(Uint8Array.from(this.buf));
      this.buf.length = 0;
    }
  }
  varint(value: number): this {
    let v = value;
    while (v > 0x7f) {
      this.buf.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.buf.push(v);
    return this;
  }
  /** Signed int64 as a two's-complement varint (negative values take 10 bytes). */
  int64(value: number): this {
    if (value >= 0) return this.varint(value);
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.buf.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.buf.push(Number(v));
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }
  int(field: number, value: number): this {
    return this.tag(field, 0).int64(value);
  }
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    this.flush();
    this.chunks.push(data);
    return this;
  }
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }
  message(field: number, inner: Proto): this {
    return this.bytes(field, inner.finish());
  }
  float(field: number, value: number): this {
    this.tag(field, 5);
    for (const b of new Uint8Array(new Float32Array([value]).buffer)) this.buf.push(b);
    return this;
  }
  finish(): Uint8Array {
    this.flush();
    const total = this.chunks.reduce((s, c) => s + c.length, 0);
    const out = new Uint8Array(total);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

export type OnnxAttr =
  | { name: string; i: number }
  | { name: string; f: number }
  | { name: string; ints: number[] }
  | { name: string; s: string };

export interface OnnxNodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: OnnxAttr[];
}

export interface OnnxValueSpec {
  name: string;
  type: typeof ONNX_FLOAT | typeof ONNX_INT64;
  shape: (number | string)[];
}

function valueInfo(v: OnnxValueSpec): Proto {
  const shape = new Proto();
  for (const d of v.shape) {
    const dim = new Proto();
    if (typeof d === "number") dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new Proto().int(1, v.type).message(2, shape);
  return new Proto().string(1, v.name).message(2, new Proto().message(1, tensorType));
}

function attribute(a: OnnxAttr): Proto {
  const w = new Proto().string(1, a.name);
  if ("i" in a) w.int(3, a.i).int(20, 2);
  else if ("f" in a) w.float(2, a.f).int(20, 1);
  else if ("s" in a) w.string(4, a.s).int(20, 3);
  else {
    for (const x of a.ints) w.int(8, x);
    w.int(20, 7);
  }
  return w;
}

export function encodeOnnx(spec: {
  name: string;
  nodes: OnnxNodeSpec[];
  inputs: OnnxValueSpec[];
  outputs: OnnxValueSpec[];
  /** Default-domain opset version (default 13). */
  opset?: number;
}): Uint8Array {
  const graph = new Proto();
  spec.nodes.forEach((n, i) => {
    const node = new Proto();
    for (const x of n.inputs) node.string(1, x);
    for (const x of n.outputs) node.string(2, x);
    node.string(3, `${n.op}_${i}`).string(4, n.op);
    for (const a of n.attrs ?? []) node.message(5, attribute(a));
    graph.message(1, node);
  });
  graph.string(2, spec.name);
  for (const v of spec.inputs) graph.message(11, valueInfo(v));
  for (const v of spec.outputs) graph.message(12, valueInfo(v));
  const opset = new Proto().string(1, "").int(2, spec.opset ?? 13);
  return new Proto().int(1, 8).string(2, "cftkit").message(7, graph).message(8, opset).finish();
}
