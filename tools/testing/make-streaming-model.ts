// A random 12-layer Llama folder (hidden 128, BF16, sharded) with the byte-level tokenizer, for the streamed
// hidden-states kill/resume test: `tsx tools/testing/make-streaming-model.ts DIR`.
import { join } from "node:path";
import { writeJsonAtomic } from "@cftkit/core";
import { byteLevelTokenizerFiles } from "@cftkit/lm";
import { makeTinyLlamaCheckpoint } from "../make-fixtures.ts";

const dir = process.argv[2];
if (!dir) throw new Error("usage: make-streaming-model.ts DIR");
await makeTinyLlamaCheckpoint(dir, {
  dtype: "BF16",
  hiddenSize: 128,
  intermediateSize: 512,
  numLayers: 12,
  numHeads: 4,
  numKeyValueHeads: 2,
  vocabSize: 300,
  maxShardBytes: 1 << 20,
  seed: 11,
});
const { tokenizerJson, tokenizerConfig } = byteLevelTokenizerFiles();
await writeJsonAtomic(join(dir, "tokenizer.json"), tokenizerJson);
await writeJsonAtomic(join(dir, "tokenizer_config.json"), tokenizerConfig);
