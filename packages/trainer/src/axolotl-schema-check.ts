import type { AxolotlConfig } from "./axolotl-config.js";

/**
 * The Axolotl schema facts cftkit checks configs against (`data/axolotl_schema.json`, extracted from
 * Axolotl's pydantic models): accepted keys, dataset keys and types, schedulers, optimizers, deprecations.
 */
export interface AxolotlSchemaFacts {
  axolotl_version?: string;
  top_level_keys: string[];
  computed_fields_output_only?: string[];
  dataset_keys: string[];
  dataset_type_dict_keys?: string[];
  nested_config_keys?: Record<string, { keys: string[] }>;
  dataset_types_builtin: string[];
  lr_schedulers: string[];
  optimizers: string[];
  deprecated_top_level_keys?: Record<string, string>;
  deprecated_values?: Record<string, string>;
}

/** Every problem found (empty = the config uses only accepted, non-deprecated keys and values). */
export function checkAxolotlConfig(config: AxolotlConfig, facts: AxolotlSchemaFacts): string[] {
  const problems: string[] = [];
  const top = new Set(facts.top_level_keys);
  const computed = new Set(facts.computed_fields_output_only ?? []);
  const deprecated = facts.deprecated_top_level_keys ?? {};
  const deprecatedValues = Object.keys(facts.deprecated_values ?? {});
  for (const [key, value] of Object.entries(config)) {
    if (!top.has(key)) problems.push(`unknown top-level key ${key}`);
    if (computed.has(key)) problems.push(`${key} is computed by Axolotl, not an input`);
    if (key in deprecated) problems.push(`${key} is deprecated: ${deprecated[key]}`);
    if (typeof value === "string" || typeof value === "boolean") {
      if (deprecatedValues.includes(`${key}: ${value}`)) problems.push(`${key}: ${value} is deprecated`);
    }
  }
  const datasetKeys = new Set([...facts.dataset_keys, ...(facts.dataset_type_dict_keys ?? [])]);
  // "datasets[].message_field_role / message_field_content" → deprecated dataset keys (entries with ':' are values)
  const deprecatedDatasetKeys = new Set(
    deprecatedValues
      .filter((dv) => dv.startsWith("datasets[].") && !dv.includes(":"))
      .flatMap((dv) => dv.split("/").map((k) => k.trim().replace(/^datasets\[\]\./, ""))),
  );
  const types = new Set(facts.dataset_types_builtin);
  const datasets = config.datasets;
  if (datasets !== undefined) {
    if (!Array.isArray(datasets)) problems.push("datasets must be a list");
    else
      datasets.forEach((d, i) => {
        if (d === null || typeof d !== "object") {
          problems.push(`datasets[${i}] must be a mapping`);
          return;
        }
        for (const k of Object.keys(d)) {
          if (!datasetKeys.has(k)) problems.push(`datasets[${i}]: unknown key ${k}`);
          if (deprecatedDatasetKeys.has(k)) problems.push(`datasets[${i}]: ${k} is deprecated`);
        }
        const type = (d as Record<string, unknown>).type;
        if (typeof type !== "string") problems.push(`datasets[${i}]: type must be a string`);
        else {
          if (type.startsWith("sharegpt"))
            problems.push(`datasets[${i}]: type ${type} is rejected (use chat_template)`);
          else if (!types.has(type)) problems.push(`datasets[${i}]: unknown type ${type}`);
        }
      });
  }
  if (typeof config.lr_scheduler === "string" && !facts.lr_schedulers.includes(config.lr_scheduler)) {
    problems.push(`unknown lr_scheduler ${config.lr_scheduler}`);
  }
  if (typeof config.optimizer === "string") {
    if (!facts.optimizers.includes(config.optimizer)) problems.push(`unknown optimizer ${config.optimizer}`);
    if (deprecatedValues.includes(`optimizer: ${config.optimizer}`))
      problems.push(`optimizer ${config.optimizer} is deprecated`);
  }
  for (const [section, spec] of Object.entries(facts.nested_config_keys ?? {})) {
    if (section.includes(".")) continue;
    const value = config[section];
    if (value === undefined || value === null || typeof value !== "object" || Array.isArray(value)) continue;
    const allowed = new Set(spec.keys);
    for (const k of Object.keys(value)) if (!allowed.has(k)) problems.push(`${section}: unknown key ${k}`);
  }
  return problems;
}
