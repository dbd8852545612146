import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { SingularValueOptions } from "./singular-values.js";
import type { SvdRequest, SvdResponse } from "./svd-worker.js";

interface Pending {
  resolve: (v: Float64Array) => void;
  reject: (e: Error) => void;
}

/** Where the worker script lives: the TypeScript source (run through tsx) or the built bundle. */
function workerSpec(): { file: string; viaTsx: boolean } {
  const here = import.meta.url;
  if (here.endsWith(".ts")) return { file: fileURLToPath(new URL("./svd-worker.ts", here)), viaTsx: true };
  const ext = here.endsWith(".cjs") ? ".cjs" : ".js";
  for (const rel of [`./linalg/svd-worker${ext}`, `./svd-worker${ext}`]) {
    const file = fileURLToPath(new URL(rel, here));
    if (existsSync(file)) return { file, viaTsx: false };
  }
  throw new Error("cftkit freeze: the singular-value worker script is missing from the build");
}

/**
 * A pool of worker threads computing singular values (each with its own single-threaded onnxruntime
 * session), so independent matrices use all cores. `threads` defaults to the available parallelism.
 */
export class SingularValuePool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { req: SvdRequest; pending: Pending }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  constructor(threads = availableParallelism()) {
    const spec = workerSpec();
    for (let i = 0; i < Math.max(1, threads); i++) {
      const worker = spec.viaTsx
        ? new Worker(
            `import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(new URL(`file://${spec.file}`).href)}); });`,
            { eval: true },
          )
        : new Worker(spec.file);
      worker.on("message", (res: SvdResponse) => {
        const p = this.pending.get(res.id);
        this.pending.delete(res.id);
        if (p) {
          if (res.ok) p.resolve(res.values);
          else p.reject(new Error(res.message));
        }
        this.release(worker);
      });
      worker.on("error", (error) => {
        for (const p of this.pending.values()) p.reject(error);
        this.pending.clear();
      });
      worker.unref();
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Singular values (descending) of a row-major f32 matrix. The data buffer is transferred to the worker. */
  singularValues(data: Float32Array, rows: number, cols: number, options?: SingularValueOptions): Promise<Float64Array> {
    if (this.closed) return Promise.reject(new Error("SingularValuePool is closed"));
    return new Promise((resolve, reject) => {
      const req: SvdRequest = { id: this.nextId++, data, rows, cols, options };
      this.queue.push({ req, pending: { resolve, reject } });
      this.dispatch();
    });
  }

  private release(worker: Worker): void {
    worker.unref();
    this.idle.push(worker);
    this.dispatch();
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const { req, pending } = this.queue.shift() as { req: SvdRequest; pending: Pending };
      this.pending.set(req.id, pending);
      worker.ref();
      const buffer = req.data.buffer;
      const transferable = buffer instanceof ArrayBuffer && req.data.byteLength === buffer.byteLength ? [buffer] : [];
      worker.postMessage(req, transferable);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
