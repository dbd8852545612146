import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinySentenceTransformer } from "../../../../tools/make-tiny-encoder.js";
import { SentenceTransformerEncoder } from "./sentence-transformer-encoder.js";

const reference = fileURLToPath(
  new URL("../../../../tools/reference/sentence_embedding.py", import.meta.url),
);
const root = mkdtempSync(join(tmpdir(), "cftkit-st-layout-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Different lengths, so a batch is padded and the padding must not leak into any pooling mode.
const TEXTS = [
  "the cat sat.",
  "Ein längerer Satz, der viel mehr Zeichen hat als der erste!",
  "ok",
  "où est la gare? près du café.",
];

interface NumpyResult {
  hidden: number[][][];
  embeddings: number[][];
}

async function compare(name: string, options: Parameters<typeof writeTinySentenceTransformer>[1]) {
  const dir = join(root, name);
  await writeTinySentenceTransformer(dir, options);
  const encoder = await SentenceTransformerEncoder.load({ model: dir, offline: true, batchSize: 4 });
  try {
    const tokens = await encoder.tokenOutputs(TEXTS);
    const ours = await encoder.embed(TEXTS);
    const expected = JSON.parse(
      execFileSync("python3", [reference], {
        input: JSON.stringify({ dir, ids: tokens.map((t) => t.ids) }),
        encoding: "utf8",
      }),
    ) as NumpyResult;
    // The ONNX encoder's token outputs (masked batch) equal numpy's one-text-at-a-time computation…
    tokens.forEach((t, i) => {
      expect(Array.from(t.hidden)).toEqual(expected.hidden[i]!.flat().map((x) => expect.closeTo(x, 5)));
    });
    // …and the sentence embeddings (pooling → Dense → Normalize) equal numpy's.
    ours.forEach((v, i) => {
      expect(Array.from(v)).toEqual(expected.embeddings[i]!.map((x) => expect.closeTo(x, 5)));
    });
    return { encoder, ours };
  } finally {
    await encoder.dispose();
  }
}

describe("sentence-transformers folders embed as sentence-transformers does", () => {
  it("LaBSE's layout: CLS token → Dense(tanh) → Normalize, against numpy", async () => {
    const { encoder, ours } = await compare("labse", { seed: 4 });
    expect(encoder.layout.pooling.modes).toEqual(["cls"]);
    expect(encoder.layout.dense).toHaveLength(1);
    expect(encoder.id).toContain("Transformer → Pooling → Dense → Normalize");
    for (const v of ours) expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    // CLS is not mean pooling: the embeddings differ from what a mean-pooling encoder gives.
    const mean = await compare("mean", { seed: 4, pooling: ["mean"] });
    expect(Array.from(mean.ours[0]!)).not.toEqual(Array.from(ours[0]!));
  });

  it("other pooling modes (concatenated), a Dense with another size and activation, no Normalize", async () => {
    const { ours } = await compare("mixed", {
      seed: 9,
      pooling: ["max", "mean_sqrt_len", "weightedmean", "lasttoken"],
      denseOut: 5,
      activation: "torch.nn.modules.linear.Identity",
      normalize: false,
    });
    expect(ours[0]).toHaveLength(5);
  });

  it("an unsupported module is a typed error", async () => {
    const dir = join(root, "bad");
    await writeTinySentenceTransformer(dir, { seed: 1 });
    writeFileSync(
      join(dir, "modules.json"),
      JSON.stringify([{ idx: 0, name: "0", path: "", type: "sentence_transformers.models.CNN" }]),
    );
    await expect(SentenceTransformerEncoder.load({ model: dir, offline: true })).rejects.toMatchObject({
      code: "ENCODER_UNSUPPORTED_MODULE",
    });
  });
});
