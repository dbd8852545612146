import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FaultServer, startFaultServer } from "@cftkit/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateModel } from "./evaluate-model.js";

describe("evaluateModel: one evaluation run from its options", () => {
  let server: FaultServer;
  const tmp = mkdtempSync(join(tmpdir(), "evaluate-model-"));
  beforeAll(async () => {
    server = await startFaultServer({ model: "served-model" });
  });
  afterAll(() => {
    server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("asks the server, caches its responses in <out>, and a rerun reads the finished task back", async () => {
    const mmlu = join(tmp, "virology_test.csv");
    writeFileSync(mmlu, "Q1?,a,b,c,d,A\nQ2?,a,b,c,d,B\n");
    const out = join(tmp, "out");
    const first = await evaluateModel({ model: server.url, tasks: [`mmlu:${mmlu}`], out });
    expect(first.tasks.map((t) => [t.task, t.count])).toEqual([["mmlu", 2]]);
    expect(readFileSync(join(out, "responses.jsonl"), "utf8").trim().split("\n").length).toBeGreaterThan(0);
    const again = await evaluateModel({ model: server.url, tasks: [`mmlu:${mmlu}`], out });
    expect(again.resumed).toEqual(["mmlu"]);
    expect(again.tasks).toEqual(first.tasks);
  });

  it("refuses options out of range before opening any model", async () => {
    await expect(
      evaluateModel({ model: "no-such-dir", tasks: ["xquad_en"], limit: 0 }),
    ).rejects.toMatchObject({
      code: "EVAL_BAD_OPTION",
    });
  });
});
