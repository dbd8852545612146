import type { Tokenizer } from "../tokenizer.js";

/** Python string length (code points): what OpenAI-compatible servers' `text_offset` counts. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * The text each token adds, and where it starts (in code points), found by decoding growing prefixes: a
 * token that ends inside a multi-byte character adds "" and the character goes to the token completing it,
 * so the pieces always concatenate to the decoded text.
 */
export function tokenPieces(
  tokenizer: Tokenizer,
  ids: readonly number[],
  opts: { skipSpecialTokens: boolean; startOffset?: number },
): { pieces: string[]; offsets: number[] } {
  const pieces: string[] = [];
  const offsets: number[] = [];
  let previous = "";
  let offset = opts.startOffset ?? 0;
  for (let i = 0; i < ids.length; i++) {
    const decoded = tokenizer.decode(ids.slice(0, i + 1), { skipSpecialTokens: opts.skipSpecialTokens });
    const stable = i + 1 < ids.length ? decoded.replace(/\uFFFD+$/u, "") : decoded;
    const piece = stable.startsWith(previous) ? stable.slice(previous.length) : "";
    pieces.push(piece);
    offsets.push(offset);
    offset += codePointLength(piece);
    if (stable.startsWith(previous)) previous = stable;
  }
  return { pieces, offsets };
}

/**
 * How many leading tokens `encode(text, {addSpecialTokens: true})` adds that the text itself does not hold
 * (the BOS of Llama tokenizers). Those tokens are scored like the rest but have an empty piece at offset 0.
 */
export function addedPrefixLength(withSpecial: readonly number[], withoutSpecial: readonly number[]): number {
  const k = withSpecial.length - withoutSpecial.length;
  if (k <= 0) return 0;
  for (let i = 0; i < withoutSpecial.length; i++) if (withSpecial[k + i] !== withoutSpecial[i]) return 0;
  return k;
}
