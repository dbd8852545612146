import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAIChatGenerator } from "./generators.js";
import { withGenerationServers } from "./generation-servers.js";
import { runGenerativeReplay } from "./generative-replay.js";
import { sharedGenerator } from "./shared-generator.js";

// The launched server is the real `cftkit lm serve` on a real model folder (a child process; no stand-in).
const root = fileURLToPath(new URL("../../../", import.meta.url));
const cftkit = join(root, "packages/cli/bin/cftkit.js");
const launch = [process.execPath, cftkit, "lm", "serve", "{model}", "--port", "{port}"];
const dir = mkdtempSync(join(tmpdir(), "cftkit-gen-servers-"));
const model = join(dir, "model");
process.env.CFTKIT_FROM_SOURCE = "1";

beforeAll(() => {
  execFileSync(process.execPath, [cftkit, "lm", "init", "--out", model, "--seed", "2"], { cwd: root });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("withGenerationServers (launch: cftkit lm serve {model} --port {port})", () => {
  it("generates through the launched server and stops it afterwards", async () => {
    let baseUrl = "";
    const items = Array.from({ length: 6 }, (_, i) => ({
      id: `en-${i}`,
      messages: [{ role: "user" as const, content: `Name a colour, ${i}.` }],
      record: { id: `en-${i}`, language: "en", instruction: "x", output: "x", source: "t" },
    }));
    const summary = await withGenerationServers({ launch, concurrency: 3 }, model, async (session) => {
      baseUrl = session.clients[0]!.baseUrl;
      expect(session.modelId).toBe(model);
      const generator = sharedGenerator(session.clients.map((c) => openAIChatGenerator(c, { maxTokens: 6 })));
      return runGenerativeReplay({
        items,
        generator,
        out: join(dir, "gr.jsonl"),
        filters: { language: null, truncated: false, empty: false, refusal: false },
      });
    });
    expect(summary.accepted).toBe(6);
    expect(readFileSync(join(dir, "gr.jsonl"), "utf8").trim().split("\n")).toHaveLength(6);
    await expect(fetch(`${baseUrl}/models`)).rejects.toThrow();
  }, 120_000);

  it("stops the server when the work fails", async () => {
    let baseUrl = "";
    const failing = withGenerationServers({ launch }, model, async (session) => {
      baseUrl = session.clients[0]!.baseUrl;
      throw new Error("the step failed");
    });
    await expect(failing).rejects.toThrow("the step failed");
    await expect(fetch(`${baseUrl}/models`)).rejects.toThrow();
  }, 120_000);

  it("stops the server when the process that launched it is interrupted", async () => {
    const holder = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=source",
        join(root, "packages/replay/src/testing/hold-generation-server.ts"),
        model,
        JSON.stringify(launch),
      ],
      { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
    );
    const ready = await new Promise<string[]>((resolveReady) => {
      let out = "";
      holder.stdout!.on("data", (c: Buffer) => {
        out += c.toString();
        const m = /ready (\d+) (\S+)/.exec(out);
        if (m) resolveReady([m[1]!, m[2]!]);
      });
    });
    const [pid, baseUrl] = [Number(ready[0]), ready[1]!];
    expect(alive(pid)).toBe(true);
    const exited = new Promise((r) => holder.on("exit", r));
    holder.kill("SIGTERM");
    await exited;
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
    await expect(fetch(`${baseUrl}/models`)).rejects.toThrow();
  }, 120_000);
});
