/**
 * `--engine transformers`: the bundled python/transformers_hidden_states.py (torch + transformers, a GPU when
 * present) computes the same per-layer token means and writes the activation file itself. Spawned without a
 * shell; the token ids travel in a JSON file, so every engine sees the same ids.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CftkitError, type CftkitErrorCode } from "@cftkit/core";

export interface TransformersEngineOptions {
  /** The interpreter (default `python3`). */
  python?: string;
  device?: "auto" | "cpu" | "cuda";
  /** Default auto: bfloat16 on a GPU, float32 on the CPU. */
  dtype?: "auto" | "float32" | "bfloat16" | "float16";
  batchSize?: number;
  /** `__metadata__` of the activation file (the script adds engine, device and dtype). */
  metadata?: Record<string, string>;
  /** The script's stderr, line by line. */
  log?: (line: string) => void;
}

export interface TransformersEngineResult {
  layers: number;
  samples: number;
  hidden_size: number;
  device: string;
  dtype: string;
}

/** The bundled script, from the sources (src/streamed-hidden-states) or the build (dist). */
export function transformersScriptPath(): string {
  const candidates = ["../../python/", "../python/"].map((up) =>
    fileURLToPath(new URL(`${up}transformers_hidden_states.py`, import.meta.url)),
  );
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new CftkitError(
      "LM_TRANSFORMERS_SCRIPT_MISSING",
      `transformers_hidden_states.py not found (${candidates.join(", ")})`,
    );
  return found;
}

const EXIT_CODES: Record<number, CftkitErrorCode> = {
  2: "LM_TRANSFORMERS_BAD_INPUT",
  3: "LM_TRANSFORMERS_MISSING",
};

/** Run the transformers engine on `tokenIds` through the model folder `dir`, writing the activation file `out`. */
export async function transformersHiddenStates(
  dir: string,
  tokenIds: number[][],
  out: string,
  options: TransformersEngineOptions = {},
): Promise<TransformersEngineResult> {
  const work = await mkdtemp(join(tmpdir(), "cftkit-transformers-"));
  try {
    const idsFile = join(work, "token-ids.json");
    await writeFile(idsFile, JSON.stringify(tokenIds));
    const args = [
      transformersScriptPath(),
      "--model",
      resolve(dir),
      "--token-ids",
      idsFile,
      "--out",
      resolve(out),
      "--device",
      options.device ?? "auto",
      "--dtype",
      options.dtype ?? "auto",
      "--batch-size",
      String(options.batchSize ?? 8),
      "--metadata",
      JSON.stringify(options.metadata ?? {}),
    ];
    const { status, stdout, stderrTail } = await runPython(options.python ?? "python3", args, options.log);
    if (status !== 0) {
      const code = EXIT_CODES[status];
      throw new CftkitError(
        code ?? "LM_TRANSFORMERS_FAILED",
        `the transformers engine (${options.python ?? "python3"}) exited with ${status}: ${stderrTail.trim()}`,
        { exitCode: code ? 2 : 1 },
      );
    }
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as TransformersEngineResult;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function runPython(
  python: string,
  args: string[],
  log: ((line: string) => void) | undefined,
): Promise<{ status: number; stdout: string; stderrTail: string }> {
  return new Promise((done, fail) => {
    const child = spawn(python, args, { stdio: ["ignore", "pipe", "pipe"], shell: false });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      stderr = (stderr + text).slice(-4000);
      for (const line of text.split("\n")) if (line.trim()) log?.(line);
    });
    child.on("error", (error: NodeJS.ErrnoException) =>
      fail(
        new CftkitError(
          error.code === "ENOENT" ? "LM_PYTHON_NOT_FOUND" : "LM_TRANSFORMERS_FAILED",
          `cannot run ${python} (${error.code ?? error.message})`,
        ),
      ),
    );
    child.on("close", (code, signal) =>
      done({ status: code ?? (signal ? 128 : 1), stdout, stderrTail: stderr }),
    );
  });
}
