import type { OnnxAttr, OnnxNodeSpec } from "./onnx-encoder.js";

/** Collects ONNX nodes with generated, unique output names (`t0`, `t1`, …) unless a name is given. */
export class OnnxGraph {
  readonly nodes: OnnxNodeSpec[] = [];
  private counter = 0;

  /** Append one single-output node; returns its output name. */
  op(op: string, inputs: string[], attrs: OnnxAttr[] = [], output?: string): string {
    const out = output ?? `t${this.counter++}`;
    this.nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  }

  /** Split the last axis into two parts whose sizes are the int64 input `sizes`. */
  split(x: string, sizes: string): [string, string] {
    const outs: [string, string] = [`t${this.counter++}`, `t${this.counter++}`];
    this.nodes.push({ op: "Split", inputs: [x, sizes], outputs: outs, attrs: [{ name: "axis", i: -1 }] });
    return outs;
  }
}
