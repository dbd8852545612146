import { CausalLM } from "@cftkit/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedEvalModel, type EvalModel } from "./eval-model.js";
import { heldoutLikelihood } from "./heldout-likelihood-task.js";
import { qaGenerationTask } from "./qa-generation-task.js";

let model: CausalLM;
beforeAll(async () => {
  model = await CausalLM.init({ preset: "tiny", seed: 3 });
});
afterAll(() => model.dispose());

describe("heldoutLikelihood", () => {
  it("equals the response-token NLL computed from the model's own logits", async () => {
    const examples = [
      {
        language: "en",
        messages: [
          { role: "user" as const, content: "Name a colour." },
          { role: "assistant" as const, content: "Blue." },
        ],
      },
      {
        language: "de",
        messages: [
          { role: "user" as const, content: "Nenne eine Farbe." },
          { role: "assistant" as const, content: "Blau." },
        ],
      },
    ];
    const result = await heldoutLikelihood(new EmbeddedEvalModel(model, "tiny"), examples);
    // Independent path: full forward pass over prompt+response, log-softmax at each response position.
    const tok = model.tokenizer!;
    for (const e of examples) {
      const prompt = tok.applyChatTemplate(e.messages.slice(0, 1), { addGenerationPrompt: true });
      const promptIds = tok.encode(prompt.replace(/\s+$/u, ""), { addSpecialTokens: true });
      const ids = tok.encode(prompt + e.messages[1]!.content, { addSpecialTokens: true });
      const { logits } = await model.forward([ids]);
      const vocab = model.config.vocabSize;
      let nll = 0;
      for (let t = promptIds.length; t < ids.length; t++) {
        const row = logits[0]!.subarray((t - 1) * vocab, t * vocab);
        const max = Math.max(...row);
        let sum = 0;
        for (const v of row) sum += Math.exp(v - max);
        nll -= row[ids[t]!]! - max - Math.log(sum);
      }
      const g = result.byGroup![e.language]!;
      expect(g.meanNll).toBeCloseTo(nll / (ids.length - promptIds.length), 4);
      expect(result.scoreByLanguage[e.language]).toBeCloseTo(Math.exp(-g.meanNll), 10);
    }
  });
});

describe("qaGenerationTask", () => {
  it("scores generated answers with the official SQuAD rules, cutting at the first line break", async () => {
    const scripted: EvalModel = {
      id: "scripted",
      async generate(requests) {
        return requests.map((r) =>
          JSON.stringify(r.prompt).includes("capital") ? " The Paris\nmore text" : "Berlin wall",
        );
      },
      async logLikelihood() {
        return [];
      },
    };
    const result = await qaGenerationTask(
      scripted,
      [
        {
          id: "q1",
          prompt: [{ role: "user", content: "What is the capital of France?" }],
          answers: ["Paris"],
        },
        { id: "q2", prompt: [{ role: "user", content: "Where?" }], answers: ["Bonn"] },
      ],
      { language: "en" },
    );
    expect(result.predictions).toEqual({ q1: "The Paris", q2: "Berlin wall" });
    expect(result.exact_match).toBe(50); // "the" is an article: "The Paris" normalises to "paris"
    expect(result.f1).toBe(50);
  });

  it("runs end to end on the embedded model", async () => {
    const result = await qaGenerationTask(
      new EmbeddedEvalModel(model, "tiny"),
      [{ id: "q", prompt: [{ role: "user", content: "Who?" }], answers: ["Ada"] }],
      { language: "en", maxNewTokens: 4 },
    );
    expect(result.count).toBe(1);
    expect(typeof result.predictions.q).toBe("string");
  });
});
