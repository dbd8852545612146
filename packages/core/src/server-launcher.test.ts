import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isCftkitError } from "./cftkit-error.js";
import { fillServerArgv, launchOpenAIServer } from "./server-launcher.js";

// A real HTTP server process: listens on argv[3] after a short start-up, lists argv[2] as its model,
// writes its argv to argv[4], and exits on SIGTERM. (What it serves is not under test here: the launcher is.)
const dir = mkdtempSync(join(tmpdir(), "cftkit launcher $HOME 'q' "));
const script = join(dir, "server.mjs");
writeFileSync(
  script,
  `import { createServer } from "node:http";
import { writeFileSync } from "node:fs";
const [model, port, argvFile, mode] = process.argv.slice(2);
writeFileSync(argvFile, JSON.stringify(process.argv.slice(2)));
if (mode === "crash") { console.error("CUDA out of memory (pretend)"); process.exit(3); }
const server = createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ object: "list", data: [{ id: model, object: "model" }] }));
});
setTimeout(() => server.listen(Number(port), "127.0.0.1"), 300);
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const node = process.execPath;

describe("launchOpenAIServer", () => {
  it("fills {model} and {port} per argument without a shell, waits for /v1/models, and stops the process", async () => {
    const model = join(dir, "model; rm -rf $HOME `x`");
    const argvFile = join(dir, "argv.json");
    const server = await launchOpenAIServer({ argv: [node, script, "{model}", "{port}", argvFile], model });
    expect(JSON.parse(readFileSync(argvFile, "utf8"))).toEqual([model, String(server.port), argvFile]);
    expect(server.modelId).toBe(model);
    expect(server.baseUrl).toBe(`http://127.0.0.1:${server.port}/v1`);
    expect((await fetch(`${server.baseUrl}/models`)).status).toBe(200);
    await server.stop();
    expect(() => process.kill(server.pid, 0)).toThrow();
    await expect(fetch(`${server.baseUrl}/models`)).rejects.toThrow();
  });

  it("a server that exits while starting fails with its output; a missing binary and an abort are typed errors", async () => {
    const argvFile = join(dir, "argv-crash.json");
    const crash = await launchOpenAIServer({
      argv: [node, script, "m", "{port}", argvFile, "crash"],
      model: "m",
    }).catch((e: unknown) => e);
    expect(isCftkitError(crash) && crash.code).toBe("SERVER_EXITED");
    expect((crash as Error).message).toContain("CUDA out of memory (pretend)");

    const missing = await launchOpenAIServer({
      argv: ["cftkit-no-such-server", "{model}"],
      model: "m",
    }).catch((e: unknown) => e);
    expect(isCftkitError(missing) && missing.code).toBe("SERVER_NOT_STARTED");

    const controller = new AbortController();
    const pending = launchOpenAIServer({
      argv: [node, "-e", "setInterval(() => {}, 1000)"],
      model: "m",
      signal: controller.signal,
    }).catch((e: unknown) => e);
    controller.abort();
    const aborted = await pending;
    expect(isCftkitError(aborted) && aborted.code).toBe("SERVER_ABORTED");
  });

  it("fills placeholders inside arguments", () => {
    expect(fillServerArgv(["serve", "{model}", "--port={port}"], "/m x", 81)).toEqual([
      "serve",
      "/m x",
      "--port=81",
    ]);
  });
});
