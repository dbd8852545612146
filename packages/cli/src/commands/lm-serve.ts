import { basename, resolve } from "node:path";
import { z } from "zod";
import { log } from "../cli-output.js";
import { count, defineCommand, param, text, pathParam } from "../define-command.js";

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
  options: {
    port: param(
      "--port <n>",
      "TCP port (0 = a free one, printed on stdout)",
      count(z.number().int().min(0).max(65535)).default(8000),
    ),
    host: param("--host <addr>", "address to listen on", text().default("127.0.0.1")),
    servedModelName: param(
      "--served-model-name <name>",
      "the model id clients send (default: <model-dir> as given)",
      text().optional(),
    ),
  },
  async run(options) {
    const { CausalLM, startOpenAIServer } = await import("@cftkit/lm");
    const model = await CausalLM.load(options.modelDir);
    const modelName = options.servedModelName ?? options.modelDir;
    const server = await startOpenAIServer(model, { modelName, port: options.port, host: options.host });
    process.stdout.write(`listening on ${server.baseUrl}\n`);
    log(options, `serving ${basename(resolve(options.modelDir))} as "${modelName}"; Ctrl-C stops`);
    await new Promise<void>((done) => {
      const stop = (signal: NodeJS.Signals) => {
        log(
          options,
          `${signal}: stopping (${server.stats.served} served, ${server.stats.cancelled} cancelled)`,
        );
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void server.close().then(done);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    model.dispose();
  },
});

export const lmServeCommands = [serve];
