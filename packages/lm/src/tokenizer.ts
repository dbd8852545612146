/**
 * Tokenizers for @cftkit/lm. Every tokenizer — a model folder's own `tokenizer.json` or the byte-level one
 * made for fresh models — runs through `@huggingface/transformers` (loaded locally, never from the network),
 * so what cftkit encodes is what the HF ecosystem encodes.
 */
import { access, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CftkitError, type ChatMessage } from "@cftkit/core";

export interface Tokenizer {
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  decode(ids: number[], opts?: { skipSpecialTokens?: boolean }): string;
  /** Render messages with the tokenizer's chat template; throws LM_NO_CHAT_TEMPLATE when it has none. */
  applyChatTemplate(messages: ChatMessage[], opts?: { addGenerationPrompt?: boolean }): string;
  readonly eosTokenId: number | null;
  readonly bosTokenId: number | null;
  readonly padTokenId: number | null;
  readonly vocabSize: number;
  readonly hasChatTemplate: boolean;
  /** Ids of all special (added, special=true) tokens. */
  readonly specialTokenIds: ReadonlySet<number>;
  /** The files that reproduce this tokenizer in an HF folder (name → JSON text). */
  readonly files: Readonly<Record<string, string>>;
}

/** The part of transformers.js' PreTrainedTokenizer we use. */
interface HfTokenizerLike {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
  apply_chat_template(
    messages: { role: string; content: string }[],
    options: { tokenize: false; add_generation_prompt?: boolean },
  ): string;
  chat_template: unknown;
  eos_token_id?: number;
  bos_token_id?: number;
  pad_token_id?: number;
  model: { vocab: unknown; tokens_to_ids: Map<string, number> };
  added_tokens: { id: number; special: boolean }[];
}

type TransformersModule = typeof import("@huggingface/transformers");
let transformersPromise: Promise<TransformersModule> | null = null;

/** Import @huggingface/transformers once, configured for local files only. */
async function transformers(): Promise<TransformersModule> {
  if (!transformersPromise) {
    transformersPromise = import("@huggingface/transformers").then((m) => {
      m.env.allowRemoteModels = false;
      m.env.allowLocalModels = true;
      // Absolute model paths are joined onto "/" unchanged.
      m.env.localModelPath = "/";
      return m;
    });
  }
  return transformersPromise;
}

class HfTokenizer implements Tokenizer {
  readonly eosTokenId: number | null;
  readonly bosTokenId: number | null;
  readonly padTokenId: number | null;
  readonly vocabSize: number;
  readonly specialTokenIds: ReadonlySet<number>;
  constructor(
    private readonly tok: HfTokenizerLike,
    readonly files: Readonly<Record<string, string>>,
    private readonly source: string,
  ) {
    this.eosTokenId = tok.eos_token_id ?? null;
    this.bosTokenId = tok.bos_token_id ?? null;
    this.padTokenId = tok.pad_token_id ?? null;
    let max = -1;
    for (const id of tok.model.tokens_to_ids.values()) if (id > max) max = id;
    for (const t of tok.added_tokens) if (t.id > max) max = t.id;
    this.vocabSize = max + 1;
    this.specialTokenIds = new Set(tok.added_tokens.filter((t) => t.special).map((t) => t.id));
  }
  get hasChatTemplate(): boolean {
    return Boolean(this.tok.chat_template);
  }
  encode(text: string, opts: { addSpecialTokens?: boolean } = {}): number[] {
    return Array.from(this.tok.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true }));
  }
  decode(ids: number[], opts: { skipSpecialTokens?: boolean } = {}): string {
    // transformers.js refuses an empty id list; a generation that stops at once decodes to "".
    if (ids.length === 0) return "";
    return this.tok.decode(ids, { skip_special_tokens: opts.skipSpecialTokens ?? false });
  }
  applyChatTemplate(messages: ChatMessage[], opts: { addGenerationPrompt?: boolean } = {}): string {
    if (!this.hasChatTemplate)
      throw new CftkitError(
        "LM_NO_CHAT_TEMPLATE",
        `${this.source}: the tokenizer has no chat_template (tokenizer_config.json), but chat messages need one`,
        { details: { source: this.source } },
      );
    return this.tok.apply_chat_template(
      messages.map((m) => ({ role: m.role, content: m.content })),
      { tokenize: false, add_generation_prompt: opts.addGenerationPrompt ?? false },
    );
  }
}

/** Build a tokenizer from in-memory tokenizer.json / tokenizer_config.json objects. */
export async function tokenizerFromJson(
  tokenizerJson: Record<string, unknown>,
  tokenizerConfig: Record<string, unknown>,
  source = "tokenizer",
): Promise<Tokenizer> {
  const m = await transformers();
  const tok = new m.PreTrainedTokenizer(tokenizerJson, tokenizerConfig) as unknown as HfTokenizerLike;
  return new HfTokenizer(
    tok,
    {
      "tokenizer.json": JSON.stringify(tokenizerJson, null, 2),
      "tokenizer_config.json": JSON.stringify(tokenizerConfig, null, 2),
    },
    source,
  );
}

/** Files copied along with a folder's tokenizer when the model is saved elsewhere. */
const TOKENIZER_FILES = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "chat_template.jinja",
];

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether `dir` holds an HF fast tokenizer (tokenizer.json). */
export async function hasTokenizer(dir: string): Promise<boolean> {
  return exists(join(dir, "tokenizer.json"));
}

/**
 * Load `<dir>/tokenizer.json` + `tokenizer_config.json` through transformers.js AutoTokenizer with local
 * files only. A `chat_template.jinja` next to them (newer HF layout) is used when the config has no template.
 */
export async function loadTokenizer(dir: string): Promise<Tokenizer> {
  const abs = resolve(dir);
  if (!(await exists(join(abs, "tokenizer.json"))))
    throw new CftkitError(
      "LM_TOKENIZER_NOT_FOUND",
      `${abs}: no tokenizer.json (an HF fast tokenizer is required)`,
      {
        details: { dir: abs },
      },
    );
  if (!(await exists(join(abs, "tokenizer_config.json"))))
    throw new CftkitError(
      "LM_TOKENIZER_NOT_FOUND",
      `${abs}: no tokenizer_config.json next to tokenizer.json`,
      {
        details: { dir: abs },
      },
    );
  const m = await transformers();
  let tok: HfTokenizerLike;
  try {
    tok = (await m.AutoTokenizer.from_pretrained(abs, {
      local_files_only: true,
    })) as unknown as HfTokenizerLike;
  } catch (error) {
    throw new CftkitError(
      "LM_TOKENIZER_INVALID",
      `${abs}: cannot load tokenizer (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  const files: Record<string, string> = {};
  for (const name of TOKENIZER_FILES) {
    const p = join(abs, name);
    if (await exists(p)) files[name] = await readFile(p, "utf8");
  }
  if (!tok.chat_template && files["chat_template.jinja"]) tok.chat_template = files["chat_template.jinja"];
  return new HfTokenizer(tok, files, join(abs, "tokenizer_config.json"));
}
