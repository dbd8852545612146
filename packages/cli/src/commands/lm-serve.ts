import { serveSettingsSchema } from "@cftkit/lm/model-settings";
import { log } from "../cli-output.js";
import { defineCommand, pathParam } from "../define-command.js";
import { optionsFrom } from "../schema-options.js";

/**
 * `cftkit lm serve <model-dir>`: the embedded model behind an OpenAI-compatible server until SIGINT/SIGTERM.
 * The first stdout line names the address (`listening on http://127.0.0.1:<port>/v1`), so a caller that
 * asked for port 0 learns the port.
 */
const serve = defineCommand({
  path: ["lm", "serve"],
  description:
    "serve a model folder over OpenAI-compatible HTTP (/v1/models, /v1/completions with echo+logprobs, /v1/chat/completions)",
  examples: ["cftkit lm serve models/tiny --port 8000", "cftkit lm serve models/tiny --port 0"],
  args: { modelDir: pathParam("<model-dir>", "HF model folder with a tokenizer", "model") },
  options: optionsFrom(serveSettingsSchema, { host: "addr", servedModelName: "name" }),
  async run(options) {
    const { serveModelFolder } = await import("@cftkit/lm");
    await serveModelFolder(options.modelDir, {
      ...options,
      onListening: (baseUrl) => process.stdout.write(`listening on ${baseUrl}\n`),
      log: (line) => log(options, line),
    });
  },
});

export const lmServeCommands = [serve];
