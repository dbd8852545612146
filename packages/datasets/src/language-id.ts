import { createRequire } from "node:module";
import type * as Tinyld from "tinyld";
import { type InstructionRecord, recordText } from "./record.js";

// tinyld's language profiles take about a second to load: required on the first detection, not at import.
const require = createRequire(import.meta.url);
let tinyld: typeof Tinyld | null = null;
const detect: typeof Tinyld.detect = (text, options) => {
  tinyld ??= require("tinyld") as typeof Tinyld;
  return tinyld.detect(text, options);
};

export interface DetectOptions {
  /** Restrict the answer to these ISO 639-1 codes (e.g. the languages a mix is known to hold). */
  candidates?: string[];
}

/** The ISO 639-1 code tinyld detects for `text`, or "und" when it cannot tell. */
export function detectLanguage(text: string, options: DetectOptions = {}): string {
  const sample = text.length > 2000 ? text.slice(0, 2000) : text;
  const found =
    options.candidates && options.candidates.length > 0
      ? detect(sample, { only: options.candidates })
      : detect(sample);
  return found === "" ? "und" : found;
}

/** Records per language tag. */
export function languageCounts(records: Iterable<InstructionRecord>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.language] = (counts[r.language] ?? 0) + 1;
  return counts;
}

export interface LanguageMismatch {
  id: string;
  declared: string;
  detected: string;
}

export interface LanguageReport {
  checked: number;
  agree: number;
  /** agree / checked. */
  agreement: number;
  perLanguage: Record<
    string,
    { checked: number; agree: number; agreement: number; detected: Record<string, number> }
  >;
  /** The first `maxMismatches` disagreements. */
  mismatches: LanguageMismatch[];
}

export interface LanguageReportOptions extends DetectOptions {
  /** Which text to detect on: the record's input only (e.g. a QA question), the prompt, or everything. */
  text?: "input" | "prompt" | "all" | ((record: InstructionRecord) => string);
  maxMismatches?: number;
}

/**
 * Compare each record's declared language with the detected one (primary subtags: `pt-BR` agrees with
 * `pt`). The mismatch report of issue 5.
 */
export function languageReport(
  records: Iterable<InstructionRecord>,
  options: LanguageReportOptions = {},
): LanguageReport {
  const pick = options.text ?? "prompt";
  const textOf =
    typeof pick === "function"
      ? pick
      : pick === "input"
        ? (r: InstructionRecord) => r.input || r.instruction
        : (r: InstructionRecord) => recordText(r, pick);
  const max = options.maxMismatches ?? 100;
  const report: LanguageReport = { checked: 0, agree: 0, agreement: 0, perLanguage: {}, mismatches: [] };
  for (const record of records) {
    const declared = record.language.split("-")[0]!.toLowerCase();
    const detected = detectLanguage(textOf(record), options);
    const entry = (report.perLanguage[declared] ??= { checked: 0, agree: 0, agreement: 0, detected: {} });
    entry.checked++;
    entry.detected[detected] = (entry.detected[detected] ?? 0) + 1;
    report.checked++;
    if (detected === declared) {
      entry.agree++;
      report.agree++;
    } else if (report.mismatches.length < max) {
      report.mismatches.push({ id: record.id, declared: record.language, detected });
    }
  }
  for (const entry of Object.values(report.perLanguage))
    entry.agreement = entry.checked ? entry.agree / entry.checked : 0;
  report.agreement = report.checked ? report.agree / report.checked : 0;
  return report;
}
