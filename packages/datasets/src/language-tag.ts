import { basename } from "node:path";
import { LANGUAGE_TAG } from "./record.js";

/** ISO 639-1 codes recognised in file names (`alpaca_fr.json`, `data.fr.jsonl`, `xquad.de.json`). */
const KNOWN = new Set(
  (
    "af am ar as az be bg bn bo br bs ca cs cy da de el en eo es et eu fa fi fr ga gl gu ha he hi hr hu hy id ig is it " +
    "ja jv ka kk km kn ko ku ky la lb lo lt lv mg mk ml mn mr ms mt my nb ne nl nn no or pa pl ps pt ro ru sa sd si sk " +
    "sl so sq sr su sv sw ta te tg th tk tl tr tt ug uk ur uz vi xh yi yo zh zu"
  ).split(" "),
);

/**
 * The language a file name declares, or null: its last `.`/`_`/`-` separated token when that is a known
 * ISO 639-1 code (`alpaca_fr.json`, `part.de.jsonl`, `xquad.de.json`, `test-context-de-question-de.json`),
 * optionally with a region (`alpaca_pt_BR.json` → `pt-BR`). Only the last token counts, so words such as
 * `hi` or `is` elsewhere in a name are not taken for a language.
 */
export function languageFromFileName(file: string): string | null {
  const stem = basename(file)
    .replace(/\.gz$/i, "")
    .replace(/\.(jsonl|ndjson|json|parquet)$/i, "");
  const tokens = stem.split(/[._\-\s]+/);
  const last = tokens[tokens.length - 1] ?? "";
  const before = tokens[tokens.length - 2]?.toLowerCase();
  if (/^[A-Z]{2}$/.test(last) && before && KNOWN.has(before)) return `${before}-${last}`;
  const t = last.toLowerCase();
  return KNOWN.has(t) ? t : null;
}

/** Normalise a declared tag (`EN`, `pt_br`, `zh-cn`) to BCP-47 casing, or null when it is not one. */
const tagCache = new Map<string, string | null>();

export function normaliseLanguageTag(tag: string): string | null {
  const cached = tagCache.get(tag);
  if (cached !== undefined) return cached;
  const result = normaliseUncached(tag);
  if (tagCache.size < 10_000) tagCache.set(tag, result);
  return result;
}

function normaliseUncached(tag: string): string | null {
  const parts = tag.trim().replace(/_/g, "-").split("-");
  if (parts.length === 0 || parts[0] === "") return null;
  const out = [parts[0]!.toLowerCase()];
  for (const p of parts.slice(1)) {
    if (p.length === 2) out.push(p.toUpperCase());
    else if (p.length === 4) out.push(p[0]!.toUpperCase() + p.slice(1).toLowerCase());
    else out.push(p.toLowerCase());
  }
  const result = out.join("-");
  return LANGUAGE_TAG.test(result) ? result : null;
}
