import { parentPort } from "node:worker_threads";
import { OrtKernels } from "./ort-kernels.js";
import { type SingularValueOptions, singularValues } from "./singular-values.js";

/** Worker entry: computes singular values of the matrices it is sent, one at a time, with its own onnxruntime session. */
export interface SvdRequest {
  id: number;
  data: Float32Array;
  rows: number;
  cols: number;
  options?: SingularValueOptions;
}
export type SvdResponse = { id: number; ok: true; values: Float64Array } | { id: number; ok: false; message: string };

const port = parentPort;
if (port) {
  const kernelsPromise = OrtKernels.create(1);
  port.on("message", async (req: SvdRequest) => {
    try {
      const kernels = await kernelsPromise;
      const values = await singularValues(req.data, req.rows, req.cols, kernels, req.options);
      const res: SvdResponse = { id: req.id, ok: true, values };
      port.postMessage(res, [values.buffer as ArrayBuffer]);
    } catch (error) {
      const res: SvdResponse = { id: req.id, ok: false, message: error instanceof Error ? error.message : String(error) };
      port.postMessage(res);
    }
  });
}
