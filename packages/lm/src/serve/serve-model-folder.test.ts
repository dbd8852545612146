import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CausalLM } from "../causal-lm.js";
import { serveModelFolder } from "./serve-model-folder.js";

let root: string;
let modelDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "cftkit-serve-folder-"));
  modelDir = join(root, "tiny");
  const model = await CausalLM.init({ preset: "tiny", seed: 4 });
  await model.save(modelDir);
  model.dispose();
}, 60_000);
afterAll(() => rm(root, { recursive: true, force: true }));

/** Start serving on a free port; resolves with the address once it listens, and the run's outcome. */
function serve(options: { signal?: AbortSignal; servedModelName?: string }) {
  const lines: string[] = [];
  let listening!: (url: string) => void;
  const address = new Promise<string>((r) => (listening = r));
  const done = serveModelFolder(modelDir, {
    port: 0,
    ...options,
    onListening: listening,
    log: (l) => lines.push(l),
  });
  return { address, done, lines };
}

describe("serveModelFolder", () => {
  it("serves until its signal is aborted, then closes and reports what it served", async () => {
    const controller = new AbortController();
    const run = serve({ signal: controller.signal, servedModelName: "tiny-model" });
    const url = await run.address;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const models = (await (await fetch(`${url}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(["tiny-model"]);
    controller.abort();
    expect(await run.done).toEqual({ served: 1, cancelled: 0, failed: 0 });
    expect(run.lines).toEqual([
      'serving tiny as "tiny-model"; Ctrl-C stops',
      "aborted: stopping (1 served, 0 cancelled)",
    ]);
    await expect(fetch(`${url}/models`)).rejects.toThrow();
  });

  it("stops on SIGTERM, names the model by its folder as given, and removes its signal handlers", async () => {
    const before = process.listenerCount("SIGTERM");
    const run = serve({});
    const url = await run.address;
    const models = (await (await fetch(`${url}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual([modelDir]);
    process.emit("SIGTERM", "SIGTERM");
    await run.done;
    expect(run.lines.at(-1)).toBe("SIGTERM: stopping (1 served, 0 cancelled)");
    expect(process.listenerCount("SIGTERM")).toBe(before);
  });

  it("refuses a port out of range before loading the model", async () => {
    await expect(serveModelFolder(join(root, "absent"), { port: 70000 })).rejects.toMatchObject({
      code: "LM_BAD_OPTION",
    });
  });
});
