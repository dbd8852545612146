import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository root, where `npx cftkit` runs. */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/** Run the real `cftkit` binary (from sources) as a child process; resolves with its exit code and output. */
export function runCftkit(
  args: string[],
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["packages/cli/bin/cftkit.js", ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, CFTKIT_FROM_SOURCE: "1", ...options.env },
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
