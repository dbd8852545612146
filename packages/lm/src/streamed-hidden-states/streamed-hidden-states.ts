/**
 * Layer-streamed mean hidden states: every prompt goes through the model one decoder layer at a time —
 * read layer i's weights, push all prompts' activations through it (onnxruntime, several threads), record
 * layer i's per-prompt token means, drop the weights. Memory ≈ one layer's weights as float32 + one batch;
 * the activations between layers live in a spool file (work folder), which also lets an interrupted run
 * resume after its last finished layer. Same numbers as `CausalLM.meanHiddenStatesOfIds` (HF
 * `output_hidden_states`: index 0 = embeddings, the last after the final norm).
 */
import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { CftkitError, type ProgressReporter, silentProgress, stableHash } from "@cftkit/core";
import { SafetensorsCheckpoint } from "@cftkit/safetensors";
import { type ModelConfig, readModelConfig } from "../model-config.js";
import { SpoolWriter, readSpoolTokens } from "./activation-spool.js";
import { checkStreamedTensors, readEmbeddingRows, readFinalNorm, readLayerWeights } from "./layer-weights.js";
import { OrtDecoderLayer } from "./ort-decoder-layer.js";
import { type PromptBatch, planBatches } from "./prompt-batches.js";
import { addTokenMeans, rmsNormRowsInPlace } from "./token-means.js";
import { StreamWorkFolder } from "./work-folder.js";

export interface StreamedHiddenStatesOptions {
  /** Work folder for spools and finished layers (resumable); removed by the caller after success. */
  workDir: string;
  /** Tokens (batch rows × padded length) per onnxruntime run; default 2048. */
  batchTokens?: number;
  /** onnxruntime intra-op threads; default all cores. */
  threads?: number;
  /** Token-level progress over the whole run (ETA). */
  progress?: ProgressReporter;
  /** One line per finished layer (time, ETA) and when resuming. */
  log?: (line: string) => void;
  /** Checked between batches: an aborted run stops with its finished layers kept. */
  signal?: AbortSignal;
}

export interface StreamedHiddenStates {
  config: ModelConfig;
  /** Per hidden state (num_hidden_layers + 1), [samples × hidden] float32, prompts in input order. */
  layers: Float32Array[];
  /** The layer a restarted run went on from, or null for a fresh run. */
  resumedAfterLayer: number | null;
}

/** What identifies a run's results: the checkpoint's tensors and files, the config and the prompts. */
async function runFingerprint(
  ckpt: SafetensorsCheckpoint,
  config: ModelConfig,
  tokenIds: number[][],
): Promise<string> {
  const files = await Promise.all(
    ckpt.files.map(async (f) => {
      const s = await stat(f);
      return [f, s.size, s.mtimeMs];
    }),
  );
  const tensors = ckpt.tensors.map((t) => [t.name, t.dtype, t.shape, t.byteOffset]);
  return stableHash({ config: config.raw, files, tensors, tokenIds });
}

function checkTokenIds(tokenIds: number[][], config: ModelConfig): void {
  if (tokenIds.length === 0) throw new CftkitError("LM_BAD_INPUT", "no token rows given");
  for (const row of tokenIds) {
    if (row.length === 0) throw new CftkitError("LM_BAD_INPUT", "a token row is empty");
    for (const t of row)
      if (!Number.isInteger(t) || t < 0 || t >= config.vocabSize)
        throw new CftkitError(
          "LM_BAD_TOKEN_ID",
          `token id ${t} is outside the vocabulary [0, ${config.vocabSize})`,
        );
  }
}

/** Mean hidden states of `tokenIds` rows through the model folder `dir`, streamed one layer at a time. */
export async function streamedMeanHiddenStates(
  dir: string,
  tokenIds: number[][],
  options: StreamedHiddenStatesOptions,
): Promise<StreamedHiddenStates> {
  const abs = resolve(dir);
  const config = await readModelConfig(abs);
  checkTokenIds(tokenIds, config);
  const ckpt = await SafetensorsCheckpoint.open(abs);
  const layer = await OrtDecoderLayer.create(config, options.threads ?? availableParallelism());
  try {
    checkStreamedTensors(ckpt, abs, config);
    const plan = planBatches(tokenIds, options.batchTokens ?? 2048);
    const L = config.numHiddenLayers;
    const { folder, discarded } = await StreamWorkFolder.open(
      resolve(options.workDir),
      await runFingerprint(ckpt, config, tokenIds),
      L + 1,
    );
    const log = options.log ?? (() => undefined);
    if (discarded) log(`${folder.dir}: earlier work was for other inputs; starting over`);
    let finished = await folder.lastFinishedLayer();
    const resumedAfterLayer = finished >= 0 ? finished : null;
    if (finished >= 0) log(`resuming after layer ${finished} of ${L} (${folder.dir})`);
    for (let i = 0; i < finished; i++) await folder.dropSpool(i);
    const H = config.hiddenSize;
    const run = new LayerRunner(config, plan, folder, options, L - Math.max(finished, 0));
    if (finished < 0) {
      await run.embeddings(ckpt, abs, tokenIds);
      finished = 0;
    }
    for (let l = finished; l < L; l++) {
      const startedAt = Date.now();
      const weights = await readLayerWeights(ckpt, abs, config, l);
      const finalNorm = l === L - 1 ? await readFinalNorm(ckpt, abs, config) : null;
      const readSeconds = (Date.now() - startedAt) / 1000;
      await run.decoderLayer(l, weights, layer, finalNorm);
      weights.clear();
      await folder.dropSpool(l);
      const seconds = (Date.now() - startedAt) / 1000;
      run.layerSeconds.push(seconds);
      const mean = run.layerSeconds.reduce((a, b) => a + b, 0) / run.layerSeconds.length;
      log(
        `layer ${l + 1}/${L}: ${seconds.toFixed(1)} s (weights read in ${readSeconds.toFixed(1)} s), ETA ${(((L - l - 1) * mean) / 60).toFixed(1)} min`,
      );
    }
    run.progress.stop();
    const layers: Float32Array[] = [];
    for (let l = 0; l <= L; l++) layers.push(plan.toInputOrder(await folder.readMeans(l), H));
    return { config, layers, resumedAfterLayer };
  } finally {
    await layer.release();
    await ckpt.close();
  }
}

/** Runs the embedding step and the decoder layers over every batch of the plan, spool to spool. */
class LayerRunner {
  readonly layerSeconds: number[] = [];
  readonly progress: ProgressReporter;
  private done = 0;

  constructor(
    private readonly config: ModelConfig,
    private readonly plan: { batches: PromptBatch[]; lengths: number[]; totalTokens: number },
    private readonly folder: StreamWorkFolder,
    private readonly options: StreamedHiddenStatesOptions,
    layersToRun: number,
  ) {
    this.progress = options.progress ?? silentProgress;
    this.progress.start(
      `hidden states, ${config.numHiddenLayers} layers streamed`,
      layersToRun * plan.totalTokens,
    );
  }

  /** Layer 0: the embedding rows of every prompt's tokens → spool 0 and means 0. */
  async embeddings(ckpt: SafetensorsCheckpoint, dir: string, tokenIds: number[][]): Promise<void> {
    const H = this.config.hiddenSize;
    const rows = await readEmbeddingRows(ckpt, dir, this.config, tokenIds.flat());
    const means = new Float32Array(this.plan.lengths.length * H);
    const spool = await SpoolWriter.open(this.folder.spoolPath(0));
    try {
      for (const batch of this.plan.batches) {
        const tokens = new Float32Array(batch.tokens * H);
        let offset = 0;
        for (const prompt of batch.prompts)
          for (const id of tokenIds[prompt]!) {
            tokens.set(rows.get(id)!, offset);
            offset += H;
          }
        addTokenMeans(tokens, batch.lengths, H, means, batch.firstRow);
        await spool.append(tokens);
      }
      await spool.commit();
    } catch (error) {
      await spool.abort();
      throw error;
    }
    await this.folder.saveMeans(0, means);
  }

  /** Decoder layer `l`: spool l → spool l + 1 (not kept after the last layer) and means l + 1. */
  async decoderLayer(
    l: number,
    weights: Map<string, Float32Array>,
    layer: OrtDecoderLayer,
    finalNorm: Float32Array | null,
  ): Promise<void> {
    const { config, plan, folder } = this;
    const H = config.hiddenSize;
    const means = new Float32Array(plan.lengths.length * H);
    const spool = finalNorm ? null : await SpoolWriter.open(folder.spoolPath(l + 1));
    try {
      for (const batch of plan.batches) {
        this.options.signal?.throwIfAborted();
        const input = await readSpoolTokens(
          folder.spoolPath(l),
          H,
          batch.firstToken,
          batch.firstToken + batch.tokens,
        );
        const output = batch.unpad(
          await layer.run(batch.pad(input, H), batch.lengths.length, batch.seq, weights, batch.mask),
          H,
        );
        if (spool) await spool.append(output);
        if (finalNorm) rmsNormRowsInPlace(output, finalNorm, config.rmsNormEps);
        addTokenMeans(output, batch.lengths, H, means, batch.firstRow);
        this.done += batch.tokens;
        this.progress.update({ done: this.done, values: { layer: `${l + 1}/${config.numHiddenLayers}` } });
      }
      await spool?.commit();
    } catch (error) {
      await spool?.abort();
      throw error;
    }
    await folder.saveMeans(l + 1, means);
  }
}
