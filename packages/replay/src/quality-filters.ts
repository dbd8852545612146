import { createRequire } from "node:module";
import type * as Tinyld from "tinyld";
import type { QualityRejectReason } from "./replay-types.js";

// tinyld's language profiles take about a second to load: required on the first detection, not at import.
const require = createRequire(import.meta.url);
let tinyld: typeof Tinyld | null = null;
const detect: typeof Tinyld.detect = (text, options) => {
  tinyld ??= require("tinyld") as typeof Tinyld;
  return tinyld.detect(text, options);
};

export interface QualityFilterOptions {
  /** Reject empty (whitespace-only) responses. Default true. */
  empty?: boolean;
  /** Reject responses cut at the token limit (finish reason "length"). Default true. */
  truncated?: boolean;
  /** Expected language (ISO 639-1, e.g. "en"); null turns the check off. Default "en". */
  language?: string | null;
  /** The language check only runs on responses at least this long (detectors guess on short text). Default 40. */
  languageMinChars?: number;
  /** Reject refusals. Default true. */
  refusal?: boolean;
  /** Refusal patterns (case-insensitive when strings). Default: DEFAULT_REFUSAL_PATTERNS. */
  refusalPatterns?: (string | RegExp)[];
  /** Reject responses shorter than this many characters (after trimming). Default 0 (off). */
  minChars?: number;
}

/** Openings and phrases that mark a refusal or an assistant disclaimer rather than an answer. */
export const DEFAULT_REFUSAL_PATTERNS: RegExp[] = [
  /^\s*(i'?m|i am) sorry\b/i,
  /^\s*sorry,? (but )?i\b/i,
  /\bas an ai(\s+(language\s+)?model)?\b/i,
  /\bi (cannot|can't|can not|am unable to|'m unable to|am not able to) (help|assist|provide|comply|fulfil|fulfill|answer|do that)\b/i,
  /\bi (won't|will not) be able to\b/i,
  /\bi must (decline|refuse)\b/i,
];

export interface QualityVerdict {
  ok: boolean;
  reason?: QualityRejectReason;
  detail?: string;
}

/** The language tinyld detects for `text` (ISO 639-1), or "" when it cannot tell. */
export function detectLanguage(text: string): string {
  return detect(text);
}

/** Judge one generated response. The checks run in a fixed order; the first that fails is the reason. */
export function judgeResponse(
  text: string,
  finishReason: string | null,
  options: QualityFilterOptions = {},
): QualityVerdict {
  const trimmed = text.trim();
  if ((options.empty ?? true) && trimmed === "") return { ok: false, reason: "empty" };
  if ((options.truncated ?? true) && finishReason === "length") {
    return { ok: false, reason: "truncated", detail: "finish_reason=length" };
  }
  const minChars = options.minChars ?? 0;
  if (minChars > 0 && trimmed.length < minChars) {
    return { ok: false, reason: "too_short", detail: `${trimmed.length} < ${minChars} chars` };
  }
  if (options.refusal ?? true) {
    const patterns = options.refusalPatterns ?? DEFAULT_REFUSAL_PATTERNS;
    for (const pattern of patterns) {
      const re = typeof pattern === "string" ? new RegExp(escapeRegExp(pattern), "i") : pattern;
      if (re.test(trimmed)) return { ok: false, reason: "refusal", detail: String(pattern) };
    }
  }
  const language = options.language === undefined ? "en" : options.language;
  if (language !== null && trimmed.length >= (options.languageMinChars ?? 40)) {
    const found = detectLanguage(trimmed);
    const expected = language.toLowerCase().split("-")[0]!;
    if (found !== "" && found !== expected) {
      return { ok: false, reason: "language", detail: `detected ${found}, expected ${expected}` };
    }
  }
  return { ok: true };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
