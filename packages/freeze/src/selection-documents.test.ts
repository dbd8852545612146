import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeSafetensors } from "@cftkit/safetensors";
import { afterAll, describe, expect, it } from "vitest";
import { randomLayers } from "./random-layers.js";
import { randomLayersDocument, writeSelectionFiles } from "./selection-documents.js";

const dir = mkdtempSync(join(tmpdir(), "cftkit-selection-docs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("selection documents and files", () => {
  it("an LF_H1 selection: its document names K, the seed and the layers, and its files hold the same", async () => {
    const model = join(dir, "model.safetensors");
    const weight = (name: string) => ({
      name,
      dtype: "F32" as const,
      shape: [2, 2],
      data: new Float32Array(4),
    });
    await writeSafetensors(
      model,
      [0, 1, 2].map((l) => weight(`model.layers.${l}.self_attn.q_proj.weight`)),
    );
    const result = await randomLayers(model, { k: 1, seed: 7 });
    const doc = randomLayersDocument(result);
    expect(Object.keys(doc)).toEqual(["scores", "frozen", "unfrozen_parameters", "layers", "k", "seed"]);
    expect(doc).toMatchObject({ k: 1, seed: 7 });
    expect(doc.layers).toHaveLength(1);
    const files = await writeSelectionFiles(join(dir, "out"), "unfrozen_parameters_lf_h1", result.yaml, doc);
    expect(files.json).toBe(join(dir, "out", "unfrozen_parameters_lf_h1.json"));
    expect(JSON.parse(readFileSync(files.json, "utf8"))).toEqual(doc);
    expect(readFileSync(files.yaml, "utf8")).toBe(result.yaml);
  });
});
