import {
  assertTranslationFinished,
  describeTranslation,
  openAIClientOf,
  openAIServerSchema,
  translateDatasetFile,
  translateFileOptionsSchema,
} from "@cftkit/replay";
import { printResult, progress, untilInterrupted } from "../cli-output.js";
import { defineCommand, pathParam } from "../define-command.js";
import { checkedSchemaValues, optionsFrom } from "../schema-options.js";

const fileFlags = {
  to: "codes",
  out: "file.jsonl",
  from: "format",
  language: "tag",
  count: "n",
  seed: "s",
} as const;
const { to, out, ...fileParams } = optionsFrom(translateFileOptionsSchema, fileFlags);

/** `cftkit data translate`: machine-translate an instruction set (e.g. OpenOrca → MOpenOrca), resumable. */
const translate = defineCommand({
  path: ["data", "translate"],
  description:
    "translate every record into each --to language through an OpenAI-compatible server (e.g. OpenOrca → MOpenOrca); parallel ids kept, crash-safe and resumable (rerun the same command), rejects kept in <out minus .jsonl>.rejects.jsonl",
  examples: [
    "cftkit data translate openorca.parquet --count 50000 --to multialpaca --server http://127.0.0.1:8000/v1 --model Qwen2.5-72B-Instruct --out mopenorca.jsonl",
  ],
  args: {
    input: pathParam("<in>", "data file or folder (any layout `cftkit data` reads)", "input"),
  },
  options: {
    to,
    out,
    ...optionsFrom(openAIServerSchema(300_000), {
      server: "url",
      model: "name",
      apiKey: "key",
      timeoutMs: "ms",
    }),
    ...fileParams,
  },
  async run(flags) {
    const options = checkedSchemaValues(translateFileOptionsSchema, fileFlags, flags);
    const summary = await untilInterrupted(flags, "what finished is kept", (signal) =>
      translateDatasetFile(flags.input, {
        ...options,
        client: openAIClientOf(flags),
        signal,
        progress: progress(flags),
      }),
    );
    printResult(flags, summary, () => describeTranslation(summary));
    assertTranslationFinished(summary);
  },
});

export const dataTranslateCommands = [translate];
