import type { ChatMessage } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { byteLevelTokenizer } from "./byte-level-tokenizer.js";
import {
  type ChatTemplateTokenizer,
  IGNORE_INDEX,
  padBatch,
  tokenizeTrainingExample,
} from "./training-batch.js";

/** A character-level tokenizer with `<s>`/`</s>` specials and a Llama-2-like template (test double). */
function charTokenizer(closeWithEos: boolean): ChatTemplateTokenizer & { decode(ids: number[]): string } {
  const specials = ["<s>", "</s>"];
  return {
    eosTokenId: 1,
    encode(text: string) {
      const ids: number[] = [];
      for (let i = 0; i < text.length; ) {
        const s = specials.findIndex((sp) => text.startsWith(sp, i));
        if (s >= 0) {
          ids.push(s);
          i += specials[s]!.length;
        } else {
          ids.push(text.charCodeAt(i) + 2);
          i++;
        }
      }
      return ids;
    },
    decode(ids: number[]) {
      return ids.map((id) => (id < 2 ? specials[id] : String.fromCharCode(id - 2))).join("");
    },
    applyChatTemplate(messages: ChatMessage[], opts?: { addGenerationPrompt?: boolean }) {
      let out = "<s>";
      for (const m of messages) {
        if (m.role === "assistant") out += `${m.content}${closeWithEos ? "</s>" : ""}`;
        else out += `[${m.role}] ${m.content} [/${m.role}]`;
      }
      if (opts?.addGenerationPrompt) out += "";
      return out;
    },
  };
}

describe("tokenizeTrainingExample", () => {
  const messages: ChatMessage[] = [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello!" },
    { role: "user", content: "Bye" },
    { role: "assistant", content: "Ciao" },
  ];

  it("labels exactly the assistant turns and their closing EOS", () => {
    const tok = charTokenizer(true);
    const out = tokenizeTrainingExample({ id: "x", messages }, tok, 1000);
    expect(tok.decode(out.inputIds)).toBe(tok.applyChatTemplate(messages));
    const labelled = out.labels.filter((l) => l !== IGNORE_INDEX);
    expect(tok.decode(labelled)).toBe("Hello!</s>Ciao</s>");
    // labels equal input ids where not masked
    out.labels.forEach((l, i) => {
      if (l !== IGNORE_INDEX) expect(l).toBe(out.inputIds[i]);
    });
  });

  it("appends EOS when the template does not close the turn, and truncates", () => {
    const tok = charTokenizer(false);
    const out = tokenizeTrainingExample({ messages: messages.slice(0, 3) }, tok, 1000);
    expect(out.inputIds.at(-1)).toBe(1);
    expect(out.labels.at(-1)).toBe(1);
    const short = tokenizeTrainingExample({ messages: messages.slice(0, 3) }, tok, 7);
    expect(short.inputIds).toHaveLength(7);
    expect(short.labels.every((l) => l === IGNORE_INDEX)).toBe(true);
  });

  it("pads right with ignored labels and counts shifted loss tokens", () => {
    const tok = charTokenizer(true);
    const a = tokenizeTrainingExample({ messages: messages.slice(0, 3) }, tok, 1000);
    const b = tokenizeTrainingExample({ messages }, tok, 1000);
    const batch = padBatch([a, b], 0);
    expect(batch.inputIds[0]).toHaveLength(b.inputIds.length);
    expect(batch.labels[0]!.slice(a.labels.length).every((l) => l === IGNORE_INDEX)).toBe(true);
    expect(batch.lossTokens).toBe("Hello!</s>".length - 3 + ("Hello!</s>Ciao</s>".length - 6));
    expect(batch.inputTokens).toBe(a.inputIds.length + b.inputIds.length);
  });

  it("masks the prompt of the byte-level ChatML template and keeps <|im_end|> as the turn's end", async () => {
    const tok = await byteLevelTokenizer();
    const out = tokenizeTrainingExample({ messages }, tok, 4096);
    expect(out.inputIds).toEqual(tok.encode(tok.applyChatTemplate(messages), { addSpecialTokens: false }));
    const labelled = out.labels.filter((l) => l !== IGNORE_INDEX);
    expect(tok.decode(labelled)).toBe("Hello!<|im_end|>\nCiao<|im_end|>\n");
  });
});
