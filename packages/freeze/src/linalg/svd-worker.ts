import { OrtKernels } from "./ort-kernels.js";
import { type SingularValueOptions, singularValues } from "./singular-values.js";

/**
 * Child-process entry: computes singular values of the matrices it is sent (IPC with advanced serialization),
 * one at a time, with its own single-threaded onnxruntime session. A separate process rather than a worker
 * thread because onnxruntime-node bindings before 1.30 are not safe to use from several V8 isolates.
 */
export interface SvdRequest {
  id: number;
  data: Float32Array;
  rows: number;
  cols: number;
  options?: SingularValueOptions;
}
export type SvdResponse =
  | { id: number; ok: true; values: Float64Array }
  | { id: number; ok: false; message: string };

if (process.send && process.env.CFTKIT_SVD_WORKER === "1") {
  const send = process.send.bind(process);
  let kernels: Promise<OrtKernels> | null = null;
  let chain: Promise<void> = Promise.resolve();
  process.on("message", (req: SvdRequest) => {
    chain = chain.then(async () => {
      try {
        kernels ??= OrtKernels.create(1);
        const values = await singularValues(req.data, req.rows, req.cols, await kernels, req.options);
        send({ id: req.id, ok: true, values } satisfies SvdResponse);
      } catch (error) {
        send({
          id: req.id,
          ok: false,
          message: error instanceof Error ? error.message : String(error),
        } satisfies SvdResponse);
      }
    });
  });
  process.on("disconnect", () => process.exit(0));
}
