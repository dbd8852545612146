import { basename, resolve } from "node:path";
import { CftkitError } from "@cftkit/core";
import type { Command } from "commander";
import { type CommonOptions, log, parseNumberOption } from "../cli-output.js";
import type { CommandModule } from "../command-module.js";

interface ServeOptions extends CommonOptions {
  port: string;
  host: string;
  servedModelName?: string;
}

/**
 * `cftkit lm serve <model-dir>`: the embedded model behind an OpenAI-compatible server until SIGINT/SIGTERM.
 * The first stdout line names the address (`listening on http://127.0.0.1:<port>/v1`), so a caller that
 * asked for port 0 learns the port.
 */
export const lmServeCommand: CommandModule = {
  register(program: Command) {
    const lm =
      program.commands.find((c) => c.name() === "lm") ??
      program.command("lm").description("the embedded Llama-family language model");
    lm.command("serve")
      .description(
        "serve a model folder over OpenAI-compatible HTTP (/v1/models, /v1/completions with echo+logprobs, /v1/chat/completions)",
      )
      .argument("<model-dir>", "HF model folder with a tokenizer")
      .option("--port <n>", "TCP port (0 = a free one, printed on stdout)", "8000")
      .option("--host <addr>", "address to listen on", "127.0.0.1")
      .option("--served-model-name <name>", "the model id clients send (default: <model-dir> as given)")
      .option("--quiet", "no logs on stderr")
      .action(async (dir: string, options: ServeOptions) => {
        const port = parseNumberOption("--port", options.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new CftkitError(
            "CLI_BAD_OPTION",
            `--port must be an integer in [0, 65535], got "${options.port}"`,
          );
        const { CausalLM, startOpenAIServer } = await import("@cftkit/lm");
        const model = await CausalLM.load(dir);
        const modelName = options.servedModelName ?? dir;
        const server = await startOpenAIServer(model, { modelName, port, host: options.host });
        process.stdout.write(`listening on ${server.baseUrl}\n`);
        log(options, `serving ${basename(resolve(dir))} as "${modelName}"; Ctrl-C stops`);
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
      });
  },
};
