import { z } from "zod";

/** How generative replay samples each response: replayGeneratorFor checks it, and `cftkit replay gr` builds its flags from it. */
export const replaySamplingSchema = z.object({
  maxTokens: z.uint32().min(1).default(512).describe("most new tokens per response"),
  temperature: z.number().min(0).default(0).describe("0 = greedy"),
  topP: z.number().gt(0).max(1).default(1).describe("nucleus sampling"),
});
