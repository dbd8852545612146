/** The roles of a chat turn, as the OpenAI chat API, HF chat templates and Axolotl's chat_template rows use them. */
export const CHAT_ROLES = ["system", "user", "assistant"] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

/** One chat turn: the one message shape of every package (server calls, chat templates, training rows, records). */
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/**
 * Speaker names found in chat data sets → role: ShareGPT's `from` (`human`, `gpt`), OpenAssistant's
 * `prompter`, Gemini's `model`, and the canonical names themselves.
 */
export const CHAT_ROLE_ALIASES: Readonly<Record<string, ChatRole>> = {
  system: "system",
  user: "user",
  human: "user",
  prompter: "user",
  assistant: "assistant",
  gpt: "assistant",
  model: "assistant",
  chatgpt: "assistant",
  bard: "assistant",
  bing: "assistant",
};

/** The role a speaker name stands for, or undefined when it names none (`toString` is not a role). */
export function chatRoleOf(name: unknown): ChatRole | undefined {
  return typeof name === "string" && Object.hasOwn(CHAT_ROLE_ALIASES, name)
    ? CHAT_ROLE_ALIASES[name]
    : undefined;
}
