import { CftkitError, type ChatMessage } from "@cftkit/core";

/** The label value that excludes a position from the loss (PyTorch/HF `ignore_index`). */
export const IGNORE_INDEX = -100;

/** One training row: the loss is on assistant turns only. */
export interface TrainingExample {
  id?: string;
  messages: ChatMessage[];
}

/** What the trainer needs from a tokenizer (the `Tokenizer` of @cftkit/lm satisfies it). */
export interface ChatTemplateTokenizer {
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  applyChatTemplate(messages: ChatMessage[], opts?: { addGenerationPrompt?: boolean }): string;
  readonly eosTokenId: number | null;
  /** Ids of special tokens; when known, EOS is only appended to a turn the template closes with none. */
  readonly specialTokenIds?: ReadonlySet<number>;
}

/** A tokenised example: `labels[i]` is `inputIds[i]` on assistant tokens and IGNORE_INDEX elsewhere. */
export interface TokenizedExample {
  id?: string;
  inputIds: number[];
  labels: number[];
}

/**
 * Render `example` with the model's chat template and tokenise it so that only assistant-turn tokens
 * carry labels. The rendered text is cut into pieces at each assistant turn — the template of the messages
 * before the turn with the generation prompt is the masked prefix, the rest of the template with the turn
 * is the assistant piece (its content and whatever closes the turn, e.g. `</s>` or `<|im_end|>`) — and each
 * piece is encoded without adding special tokens (the template writes BOS itself, as HF's
 * `apply_chat_template(tokenize=True)` does). If the template closes the last assistant turn with no special
 * token (neither EOS nor an end-of-turn token such as `<|im_end|>`), EOS is appended (labelled) so the model
 * learns to stop. Truncated to `sequenceLength` tokens.
 */
export function tokenizeTrainingExample(
  example: TrainingExample,
  tokenizer: ChatTemplateTokenizer,
  sequenceLength: number,
): TokenizedExample {
  const messages = example.messages;
  const where = example.id !== undefined ? `example "${example.id}"` : "an example";
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new CftkitError("LM_BAD_TRAINING_EXAMPLE", `${where} has no messages`, {
      details: { id: example.id },
    });
  }
  if (!messages.some((m) => m.role === "assistant")) {
    throw new CftkitError("LM_BAD_TRAINING_EXAMPLE", `${where} has no assistant message to learn from`, {
      details: { id: example.id },
    });
  }
  const pieces: { text: string; train: boolean }[] = [];
  let rendered = "";
  for (let i = 0; i < messages.length; i++) {
    if (messages[i]!.role !== "assistant") continue;
    const prompt = tokenizer.applyChatTemplate(messages.slice(0, i), { addGenerationPrompt: true });
    const withTurn = tokenizer.applyChatTemplate(messages.slice(0, i + 1), { addGenerationPrompt: false });
    if (!prompt.startsWith(rendered) || !withTurn.startsWith(prompt)) {
      throw new CftkitError(
        "LM_CHAT_TEMPLATE_NOT_INCREMENTAL",
        `the chat template does not render ${where} incrementally (the text up to an assistant turn is not a prefix of the text with it), so prompt tokens cannot be masked`,
        { details: { id: example.id, turn: i } },
      );
    }
    pieces.push({ text: prompt.slice(rendered.length), train: false });
    pieces.push({ text: withTurn.slice(prompt.length), train: true });
    rendered = withTurn;
  }
  const full = tokenizer.applyChatTemplate(messages, { addGenerationPrompt: false });
  if (full.startsWith(rendered) && full.length > rendered.length) {
    pieces.push({ text: full.slice(rendered.length), train: false });
  }
  const inputIds: number[] = [];
  const labels: number[] = [];
  let lastTrainEnd = -1;
  let lastTrainStart = -1;
  for (const piece of pieces) {
    if (piece.text.length === 0) continue;
    const ids = tokenizer.encode(piece.text, { addSpecialTokens: false });
    if (piece.train) lastTrainStart = inputIds.length;
    for (const id of ids) {
      inputIds.push(id);
      labels.push(piece.train ? id : IGNORE_INDEX);
    }
    if (piece.train) lastTrainEnd = inputIds.length;
  }
  const eos = tokenizer.eosTokenId;
  const closing = tokenizer.specialTokenIds ?? new Set(eos === null ? [] : [eos]);
  const lastTurn = inputIds.slice(lastTrainStart, lastTrainEnd);
  if (eos !== null && lastTrainStart >= 0 && !lastTurn.some((id) => closing.has(id))) {
    inputIds.splice(lastTrainEnd, 0, eos);
    labels.splice(lastTrainEnd, 0, eos);
  }
  if (inputIds.length > sequenceLength) {
    inputIds.length = sequenceLength;
    labels.length = sequenceLength;
  }
  return { ...(example.id !== undefined ? { id: example.id } : {}), inputIds, labels };
}

/** A padded micro-batch: `[rows][length]` ids (pad = `padId`) and labels (pad = IGNORE_INDEX). */
export interface PaddedBatch {
  inputIds: number[][];
  labels: number[][];
  /** Positions that count in the loss after the causal shift (label at t+1 ≠ IGNORE_INDEX). */
  lossTokens: number;
  /** Real (non-pad) input tokens. */
  inputTokens: number;
}

/**
 * Right-pad examples to the longest one. With causal attention, right padding never changes the logits of
 * real positions, and padded positions carry IGNORE_INDEX labels, so no attention mask is needed.
 */
export function padBatch(examples: readonly TokenizedExample[], padId: number): PaddedBatch {
  const length = Math.max(1, ...examples.map((e) => e.inputIds.length));
  const inputIds: number[][] = [];
  const labels: number[][] = [];
  let lossTokens = 0;
  let inputTokens = 0;
  for (const e of examples) {
    const ids = e.inputIds.slice();
    const lab = e.labels.slice();
    inputTokens += ids.length;
    for (let t = 1; t < lab.length; t++) if (lab[t] !== IGNORE_INDEX) lossTokens++;
    while (ids.length < length) {
      ids.push(padId);
      lab.push(IGNORE_INDEX);
    }
    inputIds.push(ids);
    labels.push(lab);
  }
  return { inputIds, labels, lossTokens, inputTokens };
}

/** Number of positions that count in the loss after the causal shift. */
export function countLossTokens(example: TokenizedExample): number {
  let n = 0;
  for (let t = 1; t < example.labels.length; t++) if (example.labels[t] !== IGNORE_INDEX) n++;
  return n;
}
