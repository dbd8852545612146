import { z } from "zod";

/**
 * `generation:` — where GR generation (and served evaluation) goes: running servers (`server`, or `servers`
 * on several GPU nodes sharing the requests) or a server command the runner starts per model without a shell
 * (`launch: [vllm, serve, "{model}", --port, "{port}"]`). Without it, the embedded model generates.
 */
export const GenerationSchema = z
  .object({
    server: z.string().url().optional(),
    servers: z.array(z.string().url()).min(1).optional(),
    launch: z.array(z.string().min(1)).min(1).optional(),
    /** Requests in flight per server. */
    concurrency: z.number().int().positive().default(4),
    ready_timeout_s: z.number().positive().default(600),
    timeout_s: z.number().positive().default(300),
    /** Also evaluate each model through its server (launched per model) instead of the embedded model. */
    evaluate: z.boolean().default(false),
  })
  .strict()
  .refine((g) => [g.server, g.servers, g.launch].filter((v) => v !== undefined).length === 1, {
    message: "give exactly one of server, servers, launch",
  });
export type GenerationConfig = z.infer<typeof GenerationSchema>;
