import { type InstructionRecord, recordText } from "./record.js";

/** Counts the "tokens" of a text. Plug in a real tokenizer's `encode(t).length` where it matters. */
export type TokenCounter = (text: string) => number;

/** Words = maximal runs of non-whitespace characters (Unicode White_Space, as `\s` in JS). */
export const countWhitespaceWords: TokenCounter = (text) => {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space =
      c === 32 ||
      (c >= 9 && c <= 13) ||
      (c > 127 &&
        (c === 0xa0 ||
          c === 0x1680 ||
          (c >= 0x2000 && c <= 0x200a) ||
          c === 0x2028 ||
          c === 0x2029 ||
          c === 0x202f ||
          c === 0x205f ||
          c === 0x3000 ||
          c === 0xfeff));
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      words++;
    }
  }
  return words;
};

export const countChars: TokenCounter = (text) => [...text].length;

export interface LengthFilterOptions {
  min?: number;
  max?: number;
  /** Default: whitespace words (use countChars for scripts without spaces such as zh, ja, th). */
  counter?: TokenCounter;
  /** Which text is measured (default: prompt + output). */
  text?: "prompt" | "output" | "all" | ((r: InstructionRecord) => string);
}

/** Keep records whose length is within [min, max]; returns the dropped ones with their lengths. */
export function filterByLength(
  records: Iterable<InstructionRecord>,
  options: LengthFilterOptions,
): { records: InstructionRecord[]; dropped: { record: InstructionRecord; length: number }[] } {
  const counter = options.counter ?? countWhitespaceWords;
  const pick = options.text ?? "all";
  const textOf =
    typeof pick === "function"
      ? pick
      : pick === "output"
        ? (r: InstructionRecord) => r.output
        : (r: InstructionRecord) => recordText(r, pick);
  const kept: InstructionRecord[] = [];
  const dropped: { record: InstructionRecord; length: number }[] = [];
  for (const r of records) {
    const n = counter(textOf(r));
    if ((options.min !== undefined && n < options.min) || (options.max !== undefined && n > options.max)) {
      dropped.push({ record: r, length: n });
    } else kept.push(r);
  }
  return { records: kept, dropped };
}
