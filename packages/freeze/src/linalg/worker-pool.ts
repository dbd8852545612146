import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { SingularValueOptions } from "./singular-values.js";
import type { SvdRequest, SvdResponse } from "./svd-worker.js";

interface Pending {
  resolve: (v: Float64Array) => void;
  reject: (e: Error) => void;
}

/** The worker script: the TypeScript source (run through tsx) or the built bundle. */
function workerSpec(): { file: string; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith(".ts")) {
    const require = createRequire(here);
    const loader = join(dirname(require.resolve("tsx/package.json")), "dist", "loader.mjs");
    return {
      file: fileURLToPath(new URL("./svd-worker.ts", here)),
      execArgv: ["--conditions=source", "--import", pathToFileURL(loader).href],
    };
  }
  const ext = here.endsWith(".cjs") ? ".cjs" : ".js";
  for (const rel of [`./linalg/svd-worker${ext}`, `./svd-worker${ext}`]) {
    const file = fileURLToPath(new URL(rel, here));
    if (existsSync(file)) return { file, execArgv: [] };
  }
  throw new Error("cftkit freeze: the singular-value worker script is missing from the build");
}

/**
 * A pool of child processes computing singular values (each with its own single-threaded onnxruntime
 * session), so independent matrices use all cores. `threads` defaults to the available parallelism.
 * Matrices travel by IPC (structured clone); results are small.
 */
export class SingularValuePool {
  private readonly workers: ChildProcess[] = [];
  private readonly idle: ChildProcess[] = [];
  private readonly queue: { req: SvdRequest; pending: Pending }[] = [];
  private readonly pending = new Map<number, { pending: Pending; worker: ChildProcess }>();
  private nextId = 0;
  private closed = false;

  constructor(threads = availableParallelism()) {
    const spec = workerSpec();
    for (let i = 0; i < Math.max(1, threads); i++) {
      const worker = fork(spec.file, [], {
        execArgv: spec.execArgv,
        serialization: "advanced",
        env: { ...process.env, CFTKIT_SVD_WORKER: "1" },
        stdio: ["ignore", "ignore", "inherit", "ipc"],
      });
      worker.on("message", (res: SvdResponse) => {
        const p = this.pending.get(res.id);
        this.pending.delete(res.id);
        if (p) {
          if (res.ok) p.pending.resolve(res.values);
          else p.pending.reject(new Error(res.message));
        }
        this.release(worker);
      });
      worker.on("exit", (code, signal) => {
        if (this.closed) return;
        for (const [id, p] of this.pending) {
          if (p.worker !== worker) continue;
          this.pending.delete(id);
          p.pending.reject(new Error(`singular-value worker exited (${signal ?? code})`));
        }
      });
      worker.unref();
      worker.channel?.unref();
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Singular values (descending) of a row-major f32 matrix. */
  singularValues(
    data: Float32Array,
    rows: number,
    cols: number,
    options?: SingularValueOptions,
  ): Promise<Float64Array> {
    if (this.closed) return Promise.reject(new Error("SingularValuePool is closed"));
    return new Promise((resolve, reject) => {
      const req: SvdRequest = { id: this.nextId++, data, rows, cols, options };
      this.queue.push({ req, pending: { resolve, reject } });
      this.dispatch();
    });
  }

  private release(worker: ChildProcess): void {
    worker.unref();
    worker.channel?.unref();
    this.idle.push(worker);
    this.dispatch();
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as ChildProcess;
      const { req, pending } = this.queue.shift() as { req: SvdRequest; pending: Pending };
      this.pending.set(req.id, { pending, worker });
      worker.ref();
      worker.channel?.ref();
      worker.send(req, (error) => {
        if (!error) return;
        this.pending.delete(req.id);
        pending.reject(error);
      });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) return resolve();
            w.once("exit", () => resolve());
            w.ref();
            if (w.connected) w.disconnect();
            setTimeout(() => w.kill(), 2000).unref();
          }),
      ),
    );
  }
}
