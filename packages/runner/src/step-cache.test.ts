import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StepCache } from "./step-cache.js";

describe("StepCache", () => {
  it("runs a step once per input hash and reuses it afterwards", async () => {
    const cache = new StepCache(mkdtempSync(join(tmpdir(), "cftkit-steps-")));
    let calls = 0;
    const work = async () => {
      calls++;
      return { value: 42 };
    };
    const first = await cache.run("train", { lr: 1 }, work);
    const second = await cache.run("train", { lr: 1 }, work);
    const third = await cache.run("train", { lr: 2 }, work);
    expect(calls).toBe(2);
    expect(first.reused).toBe(false);
    expect(second.reused).toBe(true);
    expect(second.record.result).toEqual({ value: 42 });
    expect(third.dir).not.toBe(first.dir);
  });

  it("redoes a step that was interrupted before its record was written", async () => {
    const root = mkdtempSync(join(tmpdir(), "cftkit-steps-"));
    const cache = new StepCache(root);
    await expect(
      cache.run("gen", { n: 1 }, async () => {
        throw new Error("killed");
      }),
    ).rejects.toThrow("killed");
    expect(readdirSync(root)).toHaveLength(1);
    const again = await cache.run("gen", { n: 1 }, async () => "ok");
    expect(again.reused).toBe(false);
    expect(again.record.result).toBe("ok");
  });
});
