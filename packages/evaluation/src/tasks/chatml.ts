import type { ChatMessage } from "@cftkit/core";

/**
 * Render a conversation in ChatML (`<|im_start|>role\ncontent<|im_end|>\n` per turn, then
 * `<|im_start|>assistant\n` when a reply is wanted) — the template Qwen-style models use. Used to score chat
 * prompts through `/v1/completions`, which takes text; pass another renderer to match a different model.
 */
export function renderChatML(
  messages: ChatMessage[],
  options: { addGenerationPrompt?: boolean } = {},
): string {
  let out = "";
  for (const m of messages) out += `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`;
  if (options.addGenerationPrompt ?? true) out += "<|im_start|>assistant\n";
  return out;
}

/** A chat template: messages → the text the model sees, ending with the assistant's generation prompt. */
export type ChatRenderer = (messages: ChatMessage[]) => string;
