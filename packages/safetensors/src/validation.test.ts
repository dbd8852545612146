import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isCftkitError } from "@cftkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { malformedCases, rawSafetensors, writeMalformedCase } from "../../../tools/safetensors-malformed.js";
import { SafetensorsCheckpoint } from "./index.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "cftkit-st-bad-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function openError(path: string): Promise<unknown> {
  try {
    const c = await SafetensorsCheckpoint.open(path);
    await c.close();
  } catch (error) {
    return error;
  }
  return null;
}

describe("validation (huggingface/safetensors rules)", () => {
  const cases = malformedCases();

  it("covers at least 10 distinct error codes", () => {
    expect(new Set(cases.map((c) => c.code)).size).toBeGreaterThanOrEqual(10);
  });

  cases.forEach((c, i) => {
    it(`${c.title} → ${c.code}`, async () => {
      const path = await writeMalformedCase(join(root, `case-${i}`), c);
      const error = await openError(path);
      expect(isCftkitError(error), String(error)).toBe(true);
      const e = error as { code: string; message: string; exitCode: number };
      expect(e.code).toBe(c.code);
      expect(e.exitCode).toBe(2);
      expect(e.message).toContain(path.endsWith(".safetensors") ? path : join(root, `case-${i}`));
      if (c.mentions) expect(e.message).toContain(c.mentions);
    });
  });

  it("accepts offsets listed out of order in the header (the reference sorts by offset)", async () => {
    const path = join(root, "unordered.safetensors");
    const header = JSON.stringify({
      b: { dtype: "F32", shape: [1], data_offsets: [4, 8] },
      a: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
    });
    const data = new Uint8Array(new Float32Array([1.5, -2]).buffer);
    await writeFile(path, rawSafetensors(header, data));
    const c = await SafetensorsCheckpoint.open(path);
    expect(c.tensors.map((t) => t.name)).toEqual(["a", "b"]);
    expect(Array.from(await c.readTensor("b"))).toEqual([-2]);
    await c.close();
  });

  it("accepts an empty checkpoint, zero-sized tensors and a padded header", async () => {
    const path = join(root, "empty.safetensors");
    await writeFile(
      path,
      rawSafetensors(
        `${JSON.stringify({ z: { dtype: "BF16", shape: [0, 3], data_offsets: [0, 0] } })}        `,
      ),
    );
    const c = await SafetensorsCheckpoint.open(path);
    expect(c.totalParameters).toBe(0);
    expect((await c.readTensor("z")).length).toBe(0);
    await c.close();
  });

  it("names the tensor when asked for one that does not exist", async () => {
    const path = join(root, "one.safetensors");
    await writeFile(
      path,
      rawSafetensors(
        JSON.stringify({ a: { dtype: "U8", shape: [1], data_offsets: [0, 1] } }),
        new Uint8Array([3]),
      ),
    );
    const c = await SafetensorsCheckpoint.open(path);
    await expect(c.readTensor("nope")).rejects.toMatchObject({ code: "SAFETENSORS_TENSOR_NOT_FOUND" });
    expect(() => c.info("nope")).toThrow(/nope/);
    await c.close();
  });
});
