import { basename } from "node:path";
import { CftkitError, formatZodIssues } from "@cftkit/core";
import { ExperimentSchema, parseExperiment, readStructuredFile } from "@cftkit/trainer";
import { z } from "zod";
import { GenerationSchema } from "./generation-schema.js";
import { LmEvalSchema } from "./lm-eval-schema.js";

/** Evaluation suite the runner applies to every model (the measures a CPU-sized model can afford). */
export const EvaluationSchema = z
  .object({
    /** Held-out chat examples (`{messages, language}` JSONL): likelihood of the reference responses per language. */
    heldout: z
      .array(
        z.union([
          z
            .string()
            .min(1)
            .transform((path) => ({ path, task: basename(path).replace(/\.jsonl?$/, "") })),
          z.object({ path: z.string().min(1), task: z.string().regex(/^[A-Za-z0-9_.-]+$/) }).strict(),
        ]),
      )
      .default([]),
    /**
     * Held-out chat examples (`{id, language, messages}` JSONL, the same layout as `heldout`) whose last
     * assistant turn is the reference: greedy answers scored with ROUGE-L F1 per language (`response_rougeL/<task>/<lang>`).
     */
    responses: z
      .array(z.object({ path: z.string().min(1), task: z.string().regex(/^[A-Za-z0-9_.-]+$/) }).strict())
      .default([]),
    responses_max_new_tokens: z.number().int().positive().default(64),
    /** Extractive QA items (`{id, language, messages, answers}` JSONL), answered greedily and scored like XQuAD. */
    qa: z.array(z.string().min(1)).default([]),
    /** Languages that count as English ability (EA); every other language counts as multilingual ability (MA). */
    english_languages: z.array(z.string()).default(["en"]),
    qa_max_new_tokens: z.number().int().positive().default(24),
    batch_size: z.number().int().positive().default(16),
    /** XL-Sum files (the published JSONL: id, text, summary) per language: greedy summaries scored with ROUGE-L. */
    xlsum: z
      .array(
        z
          .object({
            path: z.string().min(1),
            language: z.string().regex(/^[a-z]{2,3}$/),
            limit: z.number().int().positive().optional(),
          })
          .strict(),
      )
      .default([]),
    xlsum_max_new_tokens: z.number().int().positive().default(64),
    /** lm-evaluation-harness tasks on every model, merged into the same scores (docs/gpu-runs.md). */
    lm_eval: LmEvalSchema.optional(),
  })
  .strict();

/** Before-training risk and after-training explanation. */
export const AnalysisSchema = z
  .object({
    des: z
      .object({
        /** `lm`: mean-pooled last hidden state of the base model; `sentence`: a sentence encoder (LaBSE in the paper). */
        encoder: z.enum(["lm", "sentence"]).default("lm"),
        /** Sentence-encoder id or folder (with `encoder: sentence`). */
        model: z.string().optional(),
        samples: z.number().int().positive().default(500),
        /** What of each record is embedded (the paper embeds instructions; `instruction+input+output` adds the response). */
        text: z.enum(["instruction", "instruction+input", "instruction+input+output"]).default("instruction"),
        /**
         * The paper's "Instruct" DES set (Table 3, ‡: "model responses on MTBENCH"): for a setting whose
         * Phase 1 is an off-the-shelf model, that model's answers to these prompts stand for its Phase-1 data.
         * See docs/semantics.md.
         */
        instruct_set: z
          .object({
            /** Prompts file any cftkit loader reads (MT-Bench question.jsonl: `turns[0]`). Default: the bundled MT-Bench. */
            prompts: z.string().min(1).optional(),
            max_prompts: z.number().int().positive().default(80),
            /** Longest answer; FastChat's MT-Bench answer generation allows 1024 new tokens. */
            max_new_tokens: z.number().int().positive().default(1024),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    drift: z
      .object({
        /** MT-Bench-style prompts (question.jsonl: `turns[0]` is used) or JSONL with `text`/`instruction`. */
        /** Default: the bundled MT-Bench questions. */
        prompts: z.string().min(1).optional(),
        max_prompts: z.number().int().positive().default(80),
      })
      .strict()
      .default({ max_prompts: 80 }),
    projection: z.enum(["tsne", "umap"]).default("tsne"),
    /**
     * The paper's MPD (Definition 2, Table 4): train the base model on each pair's Phase-2 data alone (once per
     * distinct Phase-2 data) and compare every Phase-1 model with it, normalised by the largest. Costs one
     * extra training run per distinct Phase-2 data, so it is off by default.
     */
    paper_mpd: z.boolean().default(false),
    /** Freeze selection sizes: LF_H1 / LF_H2 layers (paper: 10 of 32) and Spectrum's top percent (paper: 50). */
    lf_layers: z.number().int().positive().default(10),
    spectrum_top_percent: z.number().positive().max(100).default(50),
    /**
     * Quality filters of generated replay. The paper filters nothing; only empty answers are dropped by
     * default (a trainer drops a record without a response anyway), and GR tops up from further English
     * items so the buffer still reaches round(ratio × |Phase 2|). See docs/semantics.md.
     */
    gr_filters: z
      .object({
        empty: z.boolean().default(true),
        refusal: z.boolean().default(false),
        language: z.string().nullable().default(null),
        truncated: z.boolean().default(false),
      })
      .strict()
      .default({ empty: true, refusal: false, language: null, truncated: false }),
    /** Replay generation (GR) settings for the embedded Phase-1 model. */
    gr_max_new_tokens: z.number().int().positive().default(64),
  })
  .strict();

/**
 * The experiment file of `cftkit run`: the trainer's experiment plus evaluation and analysis. Strict at
 * every level: an unknown key (a typo such as `learning_rat`) is an error naming the key and the file.
 */
export const RunExperimentSchema = ExperimentSchema.extend({
  /**
   * Per setting name, the inputs of English and generative replay: the Phase-2 records (with
   * `parallel_id`s) and their English counterpart, as data files any `cftkit data` loader reads.
   */
  replay_sources: z
    .record(z.string(), z.object({ phase2: z.string().min(1), english: z.string().min(1) }).strict())
    .default({}),
  evaluation: EvaluationSchema.prefault({}),
  analysis: AnalysisSchema.prefault({}),
  /**
   * Train and evaluate every model once per seed (docs/report.md, "Seeds and intervals"); the report gives
   * mean ± 95 % interval over them. The first seed is the run `seed` alone would make (same folders, same
   * cache); analysis (MPD, hidden states, drift, projection) runs on it only. Default: `[seed]`.
   */
  seeds: z
    .array(
      z
        .number()
        .int()
        .nonnegative()
        .max(2 ** 32 - 1),
    )
    .min(1)
    .refine((s) => new Set(s).size === s.length, "seeds must be distinct")
    .optional(),
  generation: GenerationSchema.optional(),
  /** A title for the report. */
  title: z.string().optional(),
  /**
   * What the report keeps from the run that wrote this file (the quickstart records its profile and its
   * notes here), so re-running the file with `cftkit run` gives the same report header and notes.
   */
  report: z
    .object({ profile: z.string().min(1).optional(), notes: z.array(z.string()).default([]) })
    .strict()
    .prefault({}),
}).strict();
export type RunExperiment = z.infer<typeof RunExperimentSchema>;

/** Read and validate an experiment file; errors point at the offending key. */
export async function readRunExperiment(path: string): Promise<RunExperiment> {
  const raw = await readStructuredFile(path, "experiment", {
    notReadable: "EXPERIMENT_NOT_READABLE",
    invalid: "EXPERIMENT_INVALID",
  });
  const parsed = RunExperimentSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ ...i, path: [...i.path, ...unknownKeys(i)] }));
    throw new CftkitError(
      "EXPERIMENT_INVALID",
      `${path} is not a valid experiment file:\n  ${formatZodIssues({ issues }, "\n  ")}`,
    );
  }
  parseExperiment(raw, path); // the trainer's own checks too (duplicate setting names, …)
  return parsed.data;
}

/** zod reports an unknown key at its parent's path: name the key itself too. */
function unknownKeys(issue: z.core.$ZodIssue): string[] {
  return issue.code === "unrecognized_keys" && issue.keys.length === 1 ? [issue.keys[0]!] : [];
}
