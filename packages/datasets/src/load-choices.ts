import { z } from "zod";
import { DATASET_FORMATS, type DatasetFormat, type FieldMapping } from "./formats.js";
import type { LoadOptions } from "./load-dataset.js";

/**
 * How a caller chooses to read a data set, in the words of `cftkit data …` (which builds its flags from this
 * schema); loadOptionsFromChoices turns the choices into LoadOptions.
 */
export const loadChoicesSchema = z.object({
  from: z
    .enum(DATASET_FORMATS as [DatasetFormat, ...DatasetFormat[]])
    .default("auto")
    .describe("input layout"),
  language: z.string().min(1).optional().describe("language of records that declare none"),
  onError: z.enum(["fail", "skip"]).default("fail").describe("a bad row or file: fail or skip"),
  fields: z
    .array(z.string().regex(/^[^=]+=[^=]+$/, "key=column"))
    .min(1)
    .optional()
    .describe("custom layout, e.g. instruction=q,output=a,input=ctx"),
  detectLanguage: z.boolean().default(false).describe("detect the language of untagged records (tinyld)"),
  candidates: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe("restrict language detection to these codes, e.g. en,fr,de"),
});

export type LoadChoices = z.output<typeof loadChoicesSchema>;

/** The LoadOptions for checked choices; detection left unset keeps each format's own default. */
export function loadOptionsFromChoices(choices: LoadChoices): LoadOptions {
  const options: LoadOptions = { format: choices.from, onError: choices.onError };
  if (choices.language) options.language = choices.language;
  if (choices.detectLanguage) options.detectLanguage = true;
  if (choices.candidates) options.languageCandidates = choices.candidates;
  if (choices.fields)
    options.fields = Object.fromEntries(choices.fields.map((pair) => pair.split("="))) as FieldMapping;
  return options;
}
