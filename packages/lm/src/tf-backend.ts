/**
 * The one place that chooses and initialises the tfjs backend for @cftkit/lm (inference and training).
 *
 * Default: the WebAssembly backend (SIMD, multi-threaded when the runtime allows it), falling back to the
 * pure-JS cpu backend. `CFTKIT_TF_BACKEND=cpu|wasm` overrides the choice. Gradients are registered here
 * too (tfjs-core alone does not register them).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

export type TfBackendName = "wasm" | "cpu";

let ready: Promise<TfBackendName> | null = null;
let gradientsReady: Promise<void> | null = null;

/**
 * tfjs-core's gradient definitions ship only as unbundled ESM whose relative imports lack file
 * extensions (fine for bundlers, rejected by Node's ESM loader). We register a tiny resolve hook that
 * retries such specifiers with ".js" — only for files inside @tensorflow/tfjs-core — and then import
 * `register_all_gradients.js`. The gradient configs land in tfjs's global registry, shared by every
 * copy of tfjs-core in the process.
 */
const RESOLVE_HOOK = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const parent = context.parentURL ?? "";
    if (parent.includes("/@tensorflow/tfjs-core/") && (specifier.startsWith("./") || specifier.startsWith("../")) && !specifier.endsWith(".js")) {
      return next(specifier + ".js", context);
    }
    throw error;
  }
}`;

export function ensureGradients(): Promise<void> {
  if (gradientsReady) return gradientsReady;
  gradientsReady = (async () => {
    if (tf.getGradient("Abs") !== undefined) return;
    const { register } = await import("node:module");
    register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`);
    await import("@tensorflow/tfjs-core/dist/register_all_gradients.js" as string);
  })();
  return gradientsReady;
}

function wasmDir(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve("@tensorflow/tfjs-backend-wasm");
  // main = .../tfjs-backend-wasm/dist/tf-backend-wasm.node.js (or similar) → the .wasm files sit in dist/
  return `${dirname(main)}/`;
}

/**
 * Initialise tfjs once and return the backend in use. `preferred` (or env CFTKIT_TF_BACKEND) picks one;
 * "wasm" falls back to "cpu" if it cannot start. Safe to call many times (memoised).
 *
 * Gradients are registered too unless `{ gradients: false }` (inference-only callers skip it: loading
 * tfjs-core's ~200 gradient modules takes several seconds).
 */
export async function ensureTfBackend(
  preferred?: TfBackendName,
  options: { gradients?: boolean } = {},
): Promise<TfBackendName> {
  const backend = await initBackend(preferred);
  if (options.gradients ?? true) await ensureGradients();
  return backend;
}

function initBackend(preferred?: TfBackendName): Promise<TfBackendName> {
  if (ready) return ready;
  ready = (async (): Promise<TfBackendName> => {
    const wanted = (preferred ??
      (process.env.CFTKIT_TF_BACKEND as TfBackendName | undefined) ??
      "wasm") as TfBackendName;
    if (wanted === "wasm") {
      try {
        const dir = wasmDir();
        setWasmPaths({
          "tfjs-backend-wasm.wasm": join(dir, "tfjs-backend-wasm.wasm"),
          "tfjs-backend-wasm-simd.wasm": join(dir, "tfjs-backend-wasm-simd.wasm"),
          "tfjs-backend-wasm-threaded-simd.wasm": join(dir, "tfjs-backend-wasm-threaded-simd.wasm"),
        });
        const threads = Number(process.env.CFTKIT_TF_THREADS ?? 0);
        if (threads > 0) setThreadsCount(threads);
        if (await tf.setBackend("wasm")) {
          await tf.ready();
          return "wasm";
        }
      } catch {
        // fall through to cpu
      }
    }
    await tf.setBackend("cpu");
    await tf.ready();
    return "cpu";
  })();
  return ready;
}

/** Information about the running backend (for benchmarks and logs). */
export function tfBackendInfo(): { backend: string; threads: boolean; simd: boolean } {
  const env = tf.env();
  let threads = false;
  let simd = false;
  try {
    threads = Boolean(env.get("WASM_HAS_MULTITHREAD_SUPPORT"));
    simd = Boolean(env.get("WASM_HAS_SIMD_SUPPORT"));
  } catch {
    // flags are only registered with the wasm backend
  }
  return { backend: tf.getBackend(), threads, simd };
}

export { tf };
