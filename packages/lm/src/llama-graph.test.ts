import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CausalLM } from "./causal-lm.js";
import { disposeKVCache, embeddingLookup, fastMatMul, llamaForward } from "./llama-graph.js";
import { ensureTfBackend, tf } from "./tf-backend.js";

const SCRIPT = fileURLToPath(new URL("../../../tools/reference/llama_forward.py", import.meta.url));

interface Reference {
  token_ids: number[][];
  logits: number[][][];
  hidden_states: number[][][][];
}

/** Relative error as max|a - b| / max|b| over the whole tensor (b = the float64 numpy reference). */
function relError(actual: Float32Array, expected: number[][]): number {
  const flat = expected.flat();
  expect(actual.length).toBe(flat.length);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < flat.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i]! - flat[i]!));
    maxRef = Math.max(maxRef, Math.abs(flat[i]!));
  }
  return maxDiff / maxRef;
}

const CASES = [
  { name: "llama-gqa", ids: "1,5,9,2,40,3,7,11,60,0;4,4,8,1,0,2,30,6,66,12" }, // GQA 4/2, untied, F32
  { name: "qwen2-bias", ids: "3,70,1,9,22,5,5,48;7,2,2,0,13,69,31,8" }, // q/k/v bias, tied, BF16, 2 shards
  {
    name: "llama3-rope",
    ids: "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40",
  }, // llama3 rope, head_dim, bias, F16
  { name: "mistral-window", ids: "1,2,3,50,4,5,6,7,8" }, // sliding window 3
  { name: "llama-dynamic", ids: "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24" }, // dynamic NTK, 24 > 12 positions
];

describe("llamaForward conformance vs the independent numpy reference (tools/reference/llama_forward.py)", () => {
  const root = mkdtempSync(join(tmpdir(), "cftkit-lm-conf-"));
  beforeAll(async () => {
    await ensureTfBackend();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  for (const c of CASES) {
    it(`${c.name}: logits and every hidden state within 1e-4 relative error (tfjs graph and ONNX/onnxruntime path)`, async () => {
      const out = join(root, c.name);
      const run = spawnSync(
        "python3",
        [SCRIPT, "make", "--case", c.name, "--out", out, "--token-ids", c.ids, "--seed", "7"],
        {
          encoding: "utf8",
        },
      );
      expect(run.status, run.stderr).toBe(0);
      const ref = JSON.parse(readFileSync(join(out, "reference.json"), "utf8")) as Reference;
      for (const engine of ["tfjs", "ort"] as const) {
        const model = await CausalLM.load(join(out, "model"), { engine });
        try {
          const res = await model.forward(ref.token_ids, { hiddenStates: true });
          for (let r = 0; r < ref.token_ids.length; r++) {
            expect(relError(res.logits[r]!, ref.logits[r]!)).toBeLessThan(1e-4);
            const hs = res.hiddenStates![r]!;
            expect(hs.length).toBe(model.config.numHiddenLayers + 1);
            expect(hs.length).toBe(ref.hidden_states[r]!.length);
            ref.hidden_states[r]!.forEach((h, l) => {
              expect(relError(hs[l]!, h), `row ${r} hidden state ${l}`).toBeLessThan(1e-4);
            });
          }
          // The comparison can fail: a perturbed reference is far off.
          const bumped = ref.logits[0]!.map((row) => row.map((v) => v * 1.01));
          expect(relError(res.logits[0]!, bumped)).toBeGreaterThan(1e-3);
        } finally {
          model.dispose();
        }
      }
    });
  }

  it("padding: a ragged batch gives each row the logits it has alone; KV-cache decoding equals a full forward", async () => {
    const model = await CausalLM.load(join(root, "llama-gqa", "model"), { engine: "tfjs" });
    const ortModel = await CausalLM.load(join(root, "llama-gqa", "model"), { engine: "ort" });
    try {
      const rows = [
        [1, 5, 9, 2, 40, 3, 7],
        [4, 4, 8],
      ];
      const batched = await model.forward(rows);
      const batchedOrt = await ortModel.forward(rows);
      for (let r = 0; r < rows.length; r++) {
        const alone = await model.forward([rows[r]!]);
        expect(relError(batched.logits[r]!, [Array.from(alone.logits[0]!)])).toBeLessThan(1e-5);
        expect(relError(batchedOrt.logits[r]!, [Array.from(alone.logits[0]!)])).toBeLessThan(1e-5);
      }
      // Incremental decoding: prefix of 4, then one token at a time, vs the full sequence.
      const ids = rows[0]!;
      const full = llamaForward(model.config, model.parameters, [ids]);
      const fullData = (await full.logits.data()) as Float32Array;
      full.logits.dispose();
      const V = model.config.vocabSize;
      let step = llamaForward(model.config, model.parameters, [ids.slice(0, 4)], { useCache: true });
      for (let t = 4; t < ids.length; t++) {
        const prev = step;
        step = llamaForward(model.config, model.parameters, [[ids[t]!]], {
          pastKeyValues: prev.presentKeyValues,
          useCache: true,
        });
        prev.logits.dispose();
        disposeKVCache(prev.presentKeyValues);
        const got = (await step.logits.data()) as Float32Array;
        expect(relError(got, [Array.from(fullData.subarray(t * V, (t + 1) * V))])).toBeLessThan(1e-5);
      }
      step.logits.dispose();
      disposeKVCache(step.presentKeyValues);
    } finally {
      model.dispose();
      ortModel.dispose();
    }
  });

  it("embedding gradient (gather forward, oneHotᵀ·dy backward) equals the gradient of oneHot(ids) @ E", async () => {
    const table = tf.randomNormal([11, 5], 0, 1, "float32", 3);
    const ids = tf.tensor1d([1, 3, 3, 10, 0], "int32");
    const w = tf.randomNormal([5, 5], 0, 1, "float32", 4);
    const loss1 = (e: tf.Tensor) => tf.sum(tf.mul(embeddingLookup(e, ids), w));
    const loss2 = (e: tf.Tensor) => tf.sum(tf.mul(tf.matMul(tf.cast(tf.oneHot(ids, 11), "float32"), e), w));
    const g1 = (await tf.grad(loss1)(table).data()) as Float32Array;
    const g2 = (await tf.grad(loss2)(table).data()) as Float32Array;
    // Independent expectation: row v of the gradient = sum of w's rows at the positions where ids == v.
    const idList = [1, 3, 3, 10, 0];
    const wData = (await w.data()) as Float32Array;
    const expected = new Float64Array(55);
    idList.forEach((id, pos) => {
      for (let j = 0; j < 5; j++) expected[id * 5 + j] += wData[pos * 5 + j]!;
    });
    for (let i = 0; i < g1.length; i++) {
      expect(g1[i]).toBeCloseTo(expected[i]!, 5);
      expect(g2[i]).toBeCloseTo(expected[i]!, 5);
    }
    expect(Math.max(...Array.from(g1).map(Math.abs))).toBeGreaterThan(0.01);
  });

  it("fastMatMul gradients equal tf.matMul's (2-D and batched 4-D)", async () => {
    for (const [sa, sb] of [
      [
        [5, 7],
        [7, 3],
      ],
      [
        [2, 3, 4, 6],
        [2, 3, 6, 5],
      ],
    ] as const) {
      const a = tf.randomNormal([...sa], 0, 1, "float32", 1);
      const b = tf.randomNormal([...sb], 0, 1, "float32", 2);
      const w = tf.randomNormal([...sa.slice(0, -1), sb[sb.length - 1]!], 0, 1, "float32", 5);
      const [ga1, gb1] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(fastMatMul(x, y), w)))([
        a,
        b,
      ]);
      const [ga2, gb2] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), w)))([a, b]);
      const close = async (p: tf.Tensor, q: tf.Tensor) => {
        const [x, y] = [(await p.data()) as Float32Array, (await q.data()) as Float32Array];
        for (let i = 0; i < x.length; i++) expect(x[i]).toBeCloseTo(y[i]!, 4);
      };
      await close(ga1!, ga2!);
      await close(gb1!, gb2!);
    }
  });
});
