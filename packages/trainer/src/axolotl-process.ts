import { spawn } from "node:child_process";
import type { CftkitError } from "@cftkit/core";
import { diagnoseAxolotlFailure } from "./axolotl-failure.js";
import type { AxolotlLogParser } from "./axolotl-log-parser.js";

export interface AxolotlProcessOptions {
  env?: NodeJS.ProcessEnv;
  /** Abort: the child gets SIGTERM. */
  signal?: AbortSignal;
  /** Every chunk of output as it comes, after `parser` has it. */
  onText?: (stream: "stdout" | "stderr", text: string) => void;
}

/**
 * Run one `axolotl` command without a shell, feeding both output streams to `parser`, and turn its exit into
 * the typed failure (not found, killed, out of memory, …) or nothing when it succeeded. `train` and
 * `merge-lora` both go through here.
 */
export async function runAxolotlProcess(
  executable: string,
  args: string[],
  parser: AxolotlLogParser,
  options: AxolotlProcessOptions = {},
): Promise<{ exitCode: number | null; failure: CftkitError | undefined }> {
  const exit = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    error?: NodeJS.ErrnoException;
  }>((resolveExit) => {
    const child = spawn(executable, args, {
      shell: false,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      signal: options.signal,
      killSignal: "SIGTERM",
    });
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (error.name !== "AbortError") spawnError = error;
    });
    const take = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      options.onText?.(stream, text);
      parser.push(text);
    };
    child.stdout.on("data", take("stdout"));
    child.stderr.on("data", take("stderr"));
    child.on("close", (code, signal) => resolveExit({ code, signal, error: spawnError }));
  });
  parser.end();
  const failure = diagnoseAxolotlFailure({
    exitCode: exit.code,
    signal: exit.signal,
    spawnError: exit.error,
    signals: [...parser.signals],
    tail: parser.tail,
    executable,
    aborted: options.signal?.aborted,
  });
  return { exitCode: exit.code, failure };
}
