import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeSafetensors } from "@cftkit/safetensors";
import { afterAll, describe, expect, it } from "vitest";
import { randomLayers } from "./random-layers.js";
import { LF_H1_FILES, randomLayersDocument, selectionFilePaths } from "./selection-documents.js";

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
    const out = join(dir, "out");
    const result = await randomLayers(model, { k: 1, seed: 7, out });
    const doc = randomLayersDocument(result);
    expect(Object.keys(doc)).toEqual([
      "scores",
      "frozen",
      "unfrozen_parameters",
      "layers",
      "k",
      "seed",
      "files",
    ]);
    expect(doc).toMatchObject({ k: 1, seed: 7 });
    expect(doc.layers).toHaveLength(1);
    // The files the selection was written to are named in its document, and hold the rest of it.
    expect(doc.files).toEqual(selectionFilePaths(out, LF_H1_FILES));
    expect(doc.files.json).toBe(join(out, "unfrozen_parameters_lf_h1.json"));
    const { files: _, ...content } = doc;
    expect(JSON.parse(readFileSync(doc.files.json!, "utf8"))).toEqual(content);
    expect(readFileSync(doc.files.yaml!, "utf8")).toBe(result.yaml);
    // Without an output folder nothing is written and the document names no files.
    expect(randomLayersDocument(await randomLayers(model, { k: 1, seed: 7 })).files).toEqual({});
  });
});
