import type * as ortTypes from "onnxruntime-node";
import { encodeOnnxModel, OnnxType } from "./onnx-graph.js";

/**
 * The two float64 onnxruntime graphs the singular-value solver needs, built in memory:
 * - `gram`: f32 W (m×n) → f64 WᵀW (n×n), products and sums in float64 (f32×f32 products are exact in f64);
 * - `bandStep`: one panel step of the blocked reduction of a symmetric matrix to band form:
 *   given A (r0×r0), the panel's compact-WY reflector Q = I − V T Vᵀ (V: r×b, r = r0 − b) and Th = ½Tᵀ,
 *   returns Qᵀ A[b:, b:] Q = A22 − V Yᵀ − Y Vᵀ with X = A22 V T and Y = X − V (Th (Vᵀ X)).
 */
type Ort = typeof ortTypes;

export class OrtKernels {
  private constructor(
    private readonly ort: Ort,
    private readonly gramSession: ortTypes.InferenceSession,
    private readonly gramTSession: ortTypes.InferenceSession,
    private readonly bandSession: ortTypes.InferenceSession,
  ) {}

  static async create(threads = 1): Promise<OrtKernels> {
    // Loaded here, not at module load: importing @cftkit/freeze does not start the native runtime.
    const ort = (await import("onnxruntime-node")) as Ort;
    const options: ortTypes.InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "basic",
    };
    // Gemm with transA/transB instead of Transpose nodes: no optimizer fusion into float-only kernels.
    const gram = (transposeFirst: boolean) =>
      encodeOnnxModel({
        name: "gram",
        nodes: [
          {
            op: "Cast",
            inputs: ["w"],
            outputs: ["wd"],
            attributes: [{ name: "to", kind: "int", value: OnnxType.DOUBLE }],
          },
          {
            op: "Gemm",
            inputs: ["wd", "wd"],
            outputs: ["g"],
            attributes: [{ name: transposeFirst ? "transA" : "transB", kind: "int", value: 1 }],
          },
        ],
        inputs: [{ name: "w", type: OnnxType.FLOAT, shape: ["m", "n"] }],
        outputs: [{ name: "g", type: OnnxType.DOUBLE, shape: ["k", "k"] }],
      });
    const D = OnnxType.DOUBLE;
    const band = encodeOnnxModel({
      name: "band_step",
      nodes: [
        { op: "Slice", inputs: ["a", "starts", "ends"], outputs: ["a22"] },
        { op: "MatMul", inputs: ["a22", "v"], outputs: ["av"] },
        { op: "MatMul", inputs: ["av", "t"], outputs: ["x"] },
        {
          op: "Gemm",
          inputs: ["v", "x"],
          outputs: ["vtx"],
          attributes: [{ name: "transA", kind: "int", value: 1 }],
        },
        { op: "MatMul", inputs: ["th", "vtx"], outputs: ["z"] },
        { op: "MatMul", inputs: ["v", "z"], outputs: ["vz"] },
        { op: "Sub", inputs: ["x", "vz"], outputs: ["y"] },
        {
          op: "Concat",
          inputs: ["v", "y"],
          outputs: ["p"],
          attributes: [{ name: "axis", kind: "int", value: 1 }],
        },
        {
          op: "Concat",
          inputs: ["y", "v"],
          outputs: ["q"],
          attributes: [{ name: "axis", kind: "int", value: 1 }],
        },
        {
          op: "Gemm",
          inputs: ["p", "q", "a22"],
          outputs: ["out"],
          attributes: [
            { name: "alpha", kind: "float", value: -1 },
            { name: "beta", kind: "float", value: 1 },
            { name: "transB", kind: "int", value: 1 },
          ],
        },
      ],
      inputs: [
        { name: "a", type: D, shape: ["r0", "r0"] },
        { name: "starts", type: OnnxType.INT64, shape: [2] },
        { name: "ends", type: OnnxType.INT64, shape: [2] },
        { name: "v", type: D, shape: ["r", "b"] },
        { name: "t", type: D, shape: ["b", "b"] },
        { name: "th", type: D, shape: ["b", "b"] },
      ],
      outputs: [{ name: "out", type: D, shape: ["r", "r"] }],
    });
    return new OrtKernels(
      ort,
      await ort.InferenceSession.create(gram(true), options),
      await ort.InferenceSession.create(gram(false), options),
      await ort.InferenceSession.create(band, options),
    );
  }

  /** The smaller Gram matrix of W (rows×cols, row-major f32): WᵀW when cols ≤ rows, else WWᵀ. */
  async gram(w: Float32Array, rows: number, cols: number): Promise<{ g: Float64Array; k: number }> {
    const session = cols <= rows ? this.gramSession : this.gramTSession;
    const out = await session.run({ w: new this.ort.Tensor("float32", w, [rows, cols]) });
    const g = out.g.data as Float64Array;
    return { g, k: Math.min(rows, cols) };
  }

  async bandStep(
    a: Float64Array,
    r0: number,
    b: number,
    v: Float64Array,
    t: Float64Array,
    th: Float64Array,
  ): Promise<Float64Array> {
    const r = r0 - b;
    const out = await this.bandSession.run({
      a: new this.ort.Tensor("float64", a, [r0, r0]),
      starts: new this.ort.Tensor("int64", BigInt64Array.from([BigInt(b), BigInt(b)]), [2]),
      ends: new this.ort.Tensor("int64", BigInt64Array.from([BigInt(r0), BigInt(r0)]), [2]),
      v: new this.ort.Tensor("float64", v, [r, b]),
      t: new this.ort.Tensor("float64", t, [b, b]),
      th: new this.ort.Tensor("float64", th, [b, b]),
    });
    return out.out.data as Float64Array;
  }

  async release(): Promise<void> {
    await this.gramSession.release();
    await this.gramTSession.release();
    await this.bandSession.release();
  }
}
