import { parseParameterName } from "@cftkit/safetensors";

/**
 * Axolotl's `unfrozen_parameters` rule: every parameter starts frozen and is trained when, for some pattern,
 * Python `re.match(pattern.replace(".", "\\."), name)` hits — a match anchored at the start only.
 */
export function compileAxolotlPattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern.replaceAll(".", "\\.")})`, "u");
}

/** Whether `name` is trained under Axolotl's rule for these patterns. */
export function matchesUnfrozen(patterns: readonly string[], name: string): boolean {
  return patterns.some((p) => compileAxolotlPattern(p).test(name));
}

/** The names (of `names`) that the patterns unfreeze. */
export function unfrozenNames(patterns: readonly string[], names: readonly string[]): Set<string> {
  const compiled = patterns.map(compileAxolotlPattern);
  return new Set(names.filter((n) => compiled.some((r) => r.test(n))));
}

const REGEX_SPECIAL = /[\\^$*+?()[\]{}|]/g;

/** A pattern that matches exactly one parameter name under Axolotl's rule. */
export function exactPattern(name: string): string {
  return `^${name.replace(REGEX_SPECIAL, "\\$&")}$`;
}

/** Module name as Spectrum lists it (the name itself; other regex characters escaped). */
function modulePattern(module: string): string {
  return module.replace(REGEX_SPECIAL, "\\$&");
}

export interface PatternGroup {
  /** Spectrum module type (`self_attn.q_proj`), or "" for the leading embedding/head patterns. */
  type: string;
  patterns: string[];
}

/**
 * Patterns that train exactly the parameters of `names` whose module is not in `frozenModules`, in Spectrum's
 * form: `^lm_head.weight$` and `^model.embed_tokens.weight$` first (when trained), then bare module names
 * grouped by module type (checkpoint order). A bare module name that would also hit a frozen parameter
 * (e.g. a prefix of another module) is replaced by exact `^name$` patterns. The result is verified.
 */
export function patternsTraining(
  names: readonly string[],
  frozenModules: ReadonlySet<string>,
): PatternGroup[] {
  const lead: string[] = [];
  const byType = new Map<string, string[]>();
  const modulesDone = new Set<string>();
  const frozenNames = names.filter((n) => frozenModules.has(parseParameterName(n).module));
  for (const name of names) {
    const parsed = parseParameterName(name);
    if (frozenModules.has(parsed.module)) continue;
    if (name === "lm_head.weight" || name === "model.embed_tokens.weight") {
      lead.push(exactPattern(name));
      continue;
    }
    if (modulesDone.has(parsed.module)) continue;
    modulesDone.add(parsed.module);
    const pattern = modulePattern(parsed.module);
    const re = compileAxolotlPattern(pattern);
    const list = byType.get(parsed.moduleType) ?? [];
    if (frozenNames.some((f) => re.test(f))) {
      for (const n of names) if (parseParameterName(n).module === parsed.module) list.push(exactPattern(n));
    } else list.push(pattern);
    byType.set(parsed.moduleType, list);
  }
  const groups: PatternGroup[] = [];
  if (lead.length > 0) groups.push({ type: "", patterns: lead });
  for (const [type, patterns] of byType) groups.push({ type, patterns });
  const all = groups.flatMap((g) => g.patterns);
  const trained = unfrozenNames(all, names);
  for (const n of names) {
    const want = !frozenModules.has(parseParameterName(n).module);
    if (trained.has(n) !== want) throw new Error(`internal: unfrozen pattern check failed for ${n}`);
  }
  return groups;
}

/** Renders `unfrozen_parameters:` YAML exactly in Spectrum's form (comments `# <type> layers` before each group). */
export function renderUnfrozenYaml(groups: readonly PatternGroup[]): string {
  const lines = ["unfrozen_parameters:"];
  for (const g of groups) {
    if (g.type !== "") lines.push(`# ${g.type} layers`);
    for (const p of g.patterns) lines.push(`- ${p}`);
  }
  return `${lines.join("\n")}\n`;
}
