import { CftkitError, type ChatMessage } from "@cftkit/core";

/**
 * Chat templates applied locally when a server is used through plain `/v1/completions` (a server without
 * a chat template, or to control the prompt exactly). Each renders a conversation ending with the
 * generation prompt of the assistant, and names the stop strings that end its turn.
 */
export interface LocalChatTemplate {
  name: string;
  render(messages: ChatMessage[]): string;
  stop: string[];
}

const chatml: LocalChatTemplate = {
  name: "chatml",
  render: (messages) =>
    `${messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join("")}<|im_start|>assistant\n`,
  stop: ["<|im_end|>", "<|im_start|>"],
};

const llama3: LocalChatTemplate = {
  name: "llama3",
  render: (messages) =>
    `<|begin_of_text|>${messages
      .map((m) => `<|start_header_id|>${m.role}<|end_header_id|>\n\n${m.content.trim()}<|eot_id|>`)
      .join("")}<|start_header_id|>assistant<|end_header_id|>\n\n`,
  stop: ["<|eot_id|>", "<|end_of_text|>"],
};

/** Mistral-Instruct v0.1/v0.2: the system prompt is prepended to the first user turn. */
const mistral: LocalChatTemplate = {
  name: "mistral",
  render: (messages) => {
    const system = messages.filter((m) => m.role === "system").map((m) => m.content);
    let out = "<s>";
    let first = true;
    for (const m of messages) {
      if (m.role === "system") continue;
      if (m.role === "user") {
        const content = first && system.length > 0 ? `${system.join("\n\n")}\n\n${m.content}` : m.content;
        out += `[INST] ${content} [/INST]`;
        first = false;
      } else out += ` ${m.content}</s>`;
    }
    return out;
  },
  stop: ["</s>", "[INST]"],
};

/** The Alpaca prompt (Stanford alpaca `PROMPT_DICT["prompt_no_input"]`, the whole user turn as the instruction). */
const alpaca: LocalChatTemplate = {
  name: "alpaca",
  render: (messages) => {
    const user = messages.filter((m) => m.role === "user").map((m) => m.content);
    const system =
      messages.find((m) => m.role === "system")?.content ??
      "Below is an instruction that describes a task. Write a response that appropriately completes the request.";
    return `${system}\n\n### Instruction:\n${user[user.length - 1] ?? ""}\n\n### Response:`;
  },
  stop: ["\n### Instruction:", "\n### Response:"],
};

export const LOCAL_CHAT_TEMPLATES: Record<string, LocalChatTemplate> = { chatml, llama3, mistral, alpaca };

export function localChatTemplate(name: string): LocalChatTemplate {
  const template = LOCAL_CHAT_TEMPLATES[name];
  if (!template) {
    throw new CftkitError(
      "REPLAY_UNKNOWN_TEMPLATE",
      `unknown chat template "${name}"; known: ${Object.keys(LOCAL_CHAT_TEMPLATES).join(", ")}`,
    );
  }
  return template;
}
