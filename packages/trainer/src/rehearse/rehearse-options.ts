import { z } from "zod";

/** What a rehearsal does besides training: `rehearseAxolotlConfig` takes these, `cftkit train rehearse` builds its flags from them. */
export const rehearseOptionsSchema = z.object({
  mergeLora: z
    .boolean()
    .default(false)
    .describe("merge the LoRA adapter in output_dir into <output_dir>/merged (as axolotl merge-lora)"),
  check: z
    .boolean()
    .default(false)
    .describe("only apply unfrozen_parameters to the base model and print what trains"),
  ignoreUnsupported: z
    .boolean()
    .default(false)
    .describe("go on although some keys cannot be honoured (they are listed)"),
});
