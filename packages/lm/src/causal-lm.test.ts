import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CausalLM } from "./causal-lm.js";

const SCRIPT = fileURLToPath(new URL("../../../tools/reference/llama_forward.py", import.meta.url));

function maxRel(a: Float32Array, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}

function logSoftmax(row: number[]): number[] {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
  return row.map((v) => v - lse);
}

describe("CausalLM (tiny preset)", () => {
  const root = mkdtempSync(join(tmpdir(), "cftkit-lm-"));
  let model: CausalLM;
  beforeAll(async () => {
    model = await CausalLM.init({ preset: "tiny", seed: 3 });
    await model.save(join(root, "tiny"));
  });
  afterAll(() => {
    model.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it("writes a complete HF folder", () => {
    const config = JSON.parse(readFileSync(join(root, "tiny", "config.json"), "utf8"));
    expect(config.architectures).toEqual(["LlamaForCausalLM"]);
    expect(config.model_type).toBe("llama");
    expect(config.torch_dtype).toBe("float32");
    const tokCfg = JSON.parse(readFileSync(join(root, "tiny", "tokenizer_config.json"), "utf8"));
    expect(typeof tokCfg.chat_template).toBe("string");
    const gen = JSON.parse(readFileSync(join(root, "tiny", "generation_config.json"), "utf8"));
    expect(gen.eos_token_id).toEqual([257, 259]);
    expect(readFileSync(join(root, "tiny", "tokenizer.json"), "utf8")).toContain('"ByteLevel"');
  });

  it("save → load gives identical logits (F32) and close logits (BF16); the numpy reference agrees", async () => {
    const ids = [[256, 72, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100]];
    const before = await model.forward(ids, { hiddenStates: true });
    const loaded = await CausalLM.load(join(root, "tiny"));
    const after = await loaded.forward(ids, { hiddenStates: true });
    expect(Array.from(after.logits[0]!)).toEqual(Array.from(before.logits[0]!));
    expect(loaded.tokenizer?.vocabSize).toBe(260);
    loaded.dispose();
    await model.save(join(root, "tiny-bf16"), { dtype: "BF16" });
    const bf = await CausalLM.load(join(root, "tiny-bf16"));
    const bfOut = await bf.forward(ids);
    expect(maxRel(bfOut.logits[0]!, before.logits[0]!)).toBeLessThan(0.05);
    bf.dispose();
    // Independent check of the saved folder: numpy forward on the same ids.
    const refPath = join(root, "tiny-ref.json");
    const run = spawnSync(
      "python3",
      [SCRIPT, "forward", "--model", join(root, "tiny"), "--token-ids", ids[0]!.join(","), "--out", refPath],
      {
        encoding: "utf8",
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const ref = JSON.parse(readFileSync(refPath, "utf8")) as {
      logits: number[][][];
      hidden_states: number[][][][];
    };
    expect(maxRel(before.logits[0]!, ref.logits[0]!.flat())).toBeLessThan(1e-4);
    ref.hidden_states[0]!.forEach((h, l) => {
      expect(maxRel(before.hiddenStates![0]![l]!, h.flat())).toBeLessThan(1e-4);
    });
  });

  it("generation with the KV cache equals generation without it (greedy and sampled)", async () => {
    const prompts = [
      "Hello",
      [{ role: "user" as const, content: "Name a colour." }],
      "A much longer prompt here",
    ];
    for (const temperature of [0, 1]) {
      const withCache = await model.generate(prompts, { maxNewTokens: 12, temperature, seed: 5 });
      const without = await model.generate(prompts, {
        maxNewTokens: 12,
        temperature,
        seed: 5,
        useCache: false,
      });
      expect(withCache.map((r) => r.tokenIds)).toEqual(without.map((r) => r.tokenIds));
      for (const r of withCache) expect(r.tokenIds.length).toBeGreaterThan(0);
    }
  });

  it("batched (left-padded) generation equals one prompt at a time; a fixed seed reproduces samples", async () => {
    const prompts = ["Hi", "Tell me a story about", "x"];
    const batched = await model.generate(prompts, {
      maxNewTokens: 10,
      temperature: 0.9,
      topP: 0.9,
      seed: 11,
    });
    const single = await model.generate(prompts, {
      maxNewTokens: 10,
      temperature: 0.9,
      topP: 0.9,
      seed: 11,
      batchSize: 1,
    });
    expect(batched.map((r) => r.tokenIds)).toEqual(single.map((r) => r.tokenIds));
    const again = await model.generate(prompts, { maxNewTokens: 10, temperature: 0.9, topP: 0.9, seed: 11 });
    expect(again).toEqual(batched);
    const other = await model.generate(prompts, { maxNewTokens: 10, temperature: 0.9, topP: 0.9, seed: 12 });
    expect(other.map((r) => r.tokenIds)).not.toEqual(batched.map((r) => r.tokenIds));
    // Greedy ids match the argmax of a plain forward pass.
    const greedy = await model.generate(["Hi"], { maxNewTokens: 3 });
    const promptIds = model.tokenizer!.encode("Hi");
    const f = await model.forward([promptIds]);
    const V = model.config.vocabSize;
    const last = Array.from(f.logits[0]!.subarray((promptIds.length - 1) * V, promptIds.length * V));
    expect(greedy[0]!.tokenIds[0]).toBe(last.indexOf(Math.max(...last)));
  });

  it("stop strings cut the text and finish with reason 'stop'", async () => {
    const free = await model.generate(["Hello"], { maxNewTokens: 16, temperature: 1, seed: 1 });
    expect(free[0]!.finishReason).toBe("length");
    const text = free[0]!.text;
    // Pick a stop string that occurs in the free generation (a single printable char of it).
    const ch = [...text].find((c, i) => i > 0 && c.trim() !== "");
    if (!ch) return;
    const stopped = await model.generate(["Hello"], {
      maxNewTokens: 16,
      temperature: 1,
      seed: 1,
      stop: [ch],
    });
    expect(stopped[0]!.finishReason).toBe("stop");
    expect(stopped[0]!.text).toBe(text.slice(0, text.indexOf(ch)));
  });

  it("logLikelihood matches log-softmax of the numpy reference logits, batched or not", async () => {
    const requests = [
      { context: "The cat sat on the", continuation: " mat" },
      { context: "Question: 2+2=", continuation: "4" },
      { context: "", continuation: "Hello world" },
    ];
    const batched = await model.logLikelihood(requests);
    const single = [];
    for (const r of requests) single.push(...(await model.logLikelihood([r], { batchSize: 1 })));
    const tok = model.tokenizer!;
    const wholes = requests.map((r) => tok.encode(r.context + r.continuation));
    const refPath = join(root, "ll.json");
    const run = spawnSync(
      "python3",
      [
        SCRIPT,
        "forward",
        "--model",
        join(root, "tiny"),
        "--token-ids",
        wholes.map((w) => w.join(",")).join(";"),
        "--out",
        refPath,
      ],
      { encoding: "utf8" },
    );
    expect(run.status, run.stderr).toBe(0);
    const refAll = JSON.parse(readFileSync(refPath, "utf8")) as { logits: number[][][] };
    for (let i = 0; i < requests.length; i++) {
      expect(batched[i]!.logprob).toBeCloseTo(single[i]!.logprob, 4);
      const { context } = requests[i]!;
      const ctx = tok.encode(context);
      const whole = wholes[i]!;
      const cont = whole.slice(ctx.length);
      expect(batched[i]!.tokenCount).toBe(cont.length);
      const ref = { logits: [refAll.logits[i]!] };
      let expected = 0;
      let greedy = true;
      for (let k = 0; k < cont.length; k++) {
        const row = ref.logits[0]![ctx.length - 1 + k]!;
        expected += logSoftmax(row)[cont[k]!]!;
        if (row.indexOf(Math.max(...row)) !== cont[k]) greedy = false;
      }
      expect(batched[i]!.logprob).toBeCloseTo(expected, 3);
      expect(batched[i]!.isGreedy).toBe(greedy);
    }
  });

  it("meanHiddenStates = mean over tokens of the reference hidden states, in input order", async () => {
    const texts = ["short", "a somewhat longer text", "mid length"];
    const means = await model.meanHiddenStates(texts, { batchSize: 2 });
    expect(means.length).toBe(3);
    const tok = model.tokenizer!;
    const refPath = join(root, "hs.json");
    const rows = texts.map((t) => tok.encode(t).join(",")).join(";");
    const run = spawnSync(
      "python3",
      [SCRIPT, "forward", "--model", join(root, "tiny"), "--token-ids", rows, "--out", refPath],
      {
        encoding: "utf8",
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const refAll = JSON.parse(readFileSync(refPath, "utf8")) as { hidden_states: number[][][][] };
    for (let i = 0; i < texts.length; i++) {
      const ref = { hidden_states: [refAll.hidden_states[i]!] };
      expect(means[i]!.length).toBe(model.config.numHiddenLayers + 1);
      ref.hidden_states[0]!.forEach((layer, l) => {
        const H = layer[0]!.length;
        const mean = new Array<number>(H).fill(0);
        for (const pos of layer) for (let j = 0; j < H; j++) mean[j]! += pos[j]! / layer.length;
        expect(maxRel(means[i]![l]!, mean)).toBeLessThan(1e-4);
      });
    }
  });

  it("typed errors: bad token ids, missing tensors, shape mismatch, wrong dtype, no tokenizer", async () => {
    await expect(model.forward([[1, 2, 999]])).rejects.toMatchObject({ code: "LM_BAD_TOKEN_ID" });
    // More ids than max_position_embeddings: refused before any work, naming the limit.
    const tooLong = new Array(model.config.maxPositionEmbeddings + 1).fill(1);
    await expect(model.forward([tooLong])).rejects.toMatchObject({
      code: "LM_TOO_MANY_TOKENS",
      message: expect.stringContaining(`max_position_embeddings = ${model.config.maxPositionEmbeddings}`),
    });
    const dir = join(root, "broken");
    await model.save(dir);
    const cfg = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...cfg, intermediate_size: 100 }));
    await expect(CausalLM.load(dir)).rejects.toMatchObject({ code: "LM_SHAPE_MISMATCH" });
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...cfg, num_hidden_layers: 3 }));
    await expect(CausalLM.load(dir)).rejects.toMatchObject({ code: "LM_MISSING_TENSOR" });
    const { hidden_size: _h, ...noHidden } = cfg;
    writeFileSync(join(dir, "config.json"), JSON.stringify(noHidden));
    await expect(CausalLM.load(dir)).rejects.toMatchObject({ code: "LM_CONFIG_MISSING_KEY" });
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...cfg, architectures: ["GPT2LMHeadModel"] }));
    await expect(CausalLM.load(dir)).rejects.toMatchObject({ code: "LM_UNSUPPORTED_ARCHITECTURE" });
    // A weight stored as I32 (same byte size as F32): wrong dtype.
    writeFileSync(join(dir, "config.json"), JSON.stringify(cfg));
    const file = join(dir, "model.safetensors");
    const bytes = readFileSync(file);
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString("utf8"));
    header["model.norm.weight"].dtype = "I32";
    let text = JSON.stringify(header);
    text += " ".repeat((8 - (text.length % 8)) % 8);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(Buffer.byteLength(text)));
    writeFileSync(file, Buffer.concat([len, Buffer.from(text), bytes.subarray(8 + n)]));
    await expect(CausalLM.load(dir)).rejects.toMatchObject({ code: "LM_WEIGHT_DTYPE" });
    // Weights-only folder: forward works, generate needs a tokenizer.
    const bare = join(root, "bare");
    await model.save(bare);
    for (const f of ["tokenizer.json", "tokenizer_config.json"]) rmSync(join(bare, f));
    const m = await CausalLM.load(bare);
    expect(m.tokenizer).toBeNull();
    await expect(m.generate(["hi"])).rejects.toMatchObject({ code: "LM_NO_TOKENIZER" });
    m.dispose();
  });
});
