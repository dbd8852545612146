import { z } from "zod";

/**
 * `evaluation.lm_eval:` — lm-evaluation-harness on every model, its scores merged into the same per-model
 * table as the native tasks (docs/gpu-runs.md). `hf` loads each model folder in lm-eval itself;
 * `local-completions` points lm-eval at the model's OpenAI-compatible server from `generation:` (launched per
 * model), with the model folder as its tokenizer.
 */
export const LmEvalSchema = z
  .object({
    /** lm-eval task names: ifeval, mmlu, hellaswag, xquad_<lang>, mlqa_<ctx>_<q>, global_mmlu_<lang>, … */
    tasks: z
      .array(z.string().regex(/^[A-Za-z0-9_.-]+$/, "an lm-eval task name (letters, digits, _ . -)"))
      .min(1),
    backend: z.enum(["hf", "local-completions"]).default("hf"),
    num_fewshot: z.number().int().nonnegative().default(0),
    /** `--batch_size` (default: `auto` for hf, 1 for local-completions). */
    batch_size: z.union([z.number().int().positive(), z.literal("auto")]).optional(),
    /** `--limit`: examples per task (a smoke run). */
    limit: z.number().int().positive().optional(),
    /** hf backend: the dtype lm-eval loads the weights in. */
    dtype: z
      .string()
      .regex(/^[a-z0-9]+$/)
      .default("bfloat16"),
    /** local-completions: requests lm-eval keeps in flight. */
    num_concurrent: z.number().int().positive().default(4),
    apply_chat_template: z.boolean().optional(),
    /** The lm-eval executable (a name on PATH or a path). */
    executable: z.string().min(1).default("lm_eval"),
  })
  .strict();
export type LmEvalConfig = z.infer<typeof LmEvalSchema>;
