import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { writeTinyEncoder } from "../../../tools/make-tiny-encoder.js";
import { des, textOf } from "./dataset-embedding-similarity.js";
import { CachedEncoder } from "./embedding-cache.js";
import { SentenceTransformerEncoder } from "./encoders/sentence-transformer-encoder.js";
import type { TextEncoder } from "./encoders/text-encoder.js";

const reference = fileURLToPath(new URL("../../../tools/reference/des.py", import.meta.url));
const xquad = (lang: string) =>
  (
    JSON.parse(readFileSync(new URL(`../../../data/xquad/xquad.${lang}.json`, import.meta.url), "utf8")) as {
      data: { paragraphs: { qas: { question: string }[] }[] }[];
    }
  ).data.flatMap((a) =>
    a.paragraphs.flatMap((p) => p.qas.map((q) => ({ instruction: q.question, language: lang }))),
  );

/** Records which texts an encoder was asked for, so the test can hand numpy exactly those embeddings. */
class RecordingEncoder implements TextEncoder {
  readonly calls: { texts: string[]; vectors: Float32Array[] }[] = [];
  constructor(private readonly inner: TextEncoder) {}
  get id() {
    return this.inner.id;
  }
  async embed(texts: string[]) {
    const vectors = await this.inner.embed(texts);
    this.calls.push({ texts, vectors });
    return vectors;
  }
}

describe("DES through the real @huggingface/transformers pipeline on a tiny local ONNX encoder", () => {
  let encoder: SentenceTransformerEncoder;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-encoder-"));
    writeTinyEncoder(dir, 3);
    encoder = await SentenceTransformerEncoder.load({ model: dir, offline: true });
  });

  it("equals numpy's DES of the same embeddings to 1e-6", async () => {
    const en = xquad("en");
    const de = xquad("de");
    const recording = new RecordingEncoder(encoder);
    const result = await des(en, de, { encoder: recording, samples: 100, seed: 0 });
    expect(result.samples_a).toBe(100);
    expect(recording.calls).toHaveLength(2);
    const payload = JSON.stringify({
      a: recording.calls[0]!.vectors.map((v) => Array.from(v)),
      b: recording.calls[1]!.vectors.map((v) => Array.from(v)),
    });
    const expected = JSON.parse(
      execFileSync("python3", [reference], { input: payload, encoding: "utf8" }),
    ) as { des: number };
    expect(Math.abs(result.des - expected.des)).toBeLessThan(1e-6);
    // Same seed, same samples; a whole set (smaller than `samples`) against itself is 1.
    expect((await des(en, de, { encoder, samples: 100, seed: 0 })).des).toBe(result.des);
    expect((await des(en.slice(0, 40), en.slice(0, 40), { encoder, samples: 100, seed: 0 })).des).toBeCloseTo(
      1,
      6,
    );
  });

  it("caches embeddings by (model, text) so a re-run embeds nothing new", async () => {
    const cachePath = join(mkdtempSync(join(tmpdir(), "cftkit-cache-")), "embeddings.jsonl");
    const recording = new RecordingEncoder(encoder);
    const first = new CachedEncoder(recording, cachePath);
    const texts = xquad("en")
      .slice(0, 20)
      .map((r) => textOf(r, "instruction"));
    const v1 = await first.embed(texts);
    const again = new CachedEncoder(recording, cachePath);
    expect(again.cachedCount).toBe(new Set(texts).size);
    const v2 = await again.embed(texts);
    expect(recording.calls).toHaveLength(1);
    expect(v2.map((v) => Array.from(v))).toEqual(v1.map((v) => Array.from(v)));
  });

  it("without network or a local folder, says how to get the model instead of falling back", async () => {
    await expect(
      SentenceTransformerEncoder.load({ model: "Xenova/LaBSE", offline: true }),
    ).rejects.toMatchObject({
      code: "ENCODER_UNAVAILABLE",
      message: expect.stringContaining("--model <folder>"),
    });
  });
});
