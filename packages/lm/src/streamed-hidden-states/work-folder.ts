/**
 * The work folder of a streamed run: `run.json` (what the run computes), `means.<i>.f32` (layer i's
 * per-prompt token means, written atomically once the layer is finished) and `hidden.<i>.f32` (the
 * activation spool after layer i, kept until layer i + 1 is finished). A restarted run with the same
 * fingerprint resumes after the last finished layer; a different fingerprint starts over.
 */
import { mkdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { CftkitError, writeFileAtomic, writeJsonAtomic } from "@cftkit/core";

const FORMAT = "cftkit-streamed-hidden-states/1";

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export class StreamWorkFolder {
  private constructor(
    readonly dir: string,
    private readonly layers: number,
  ) {}

  /**
   * Open (or create) `dir` for a run identified by `fingerprint` over `layers` hidden states
   * (num_hidden_layers + 1). Returns the folder and whether earlier work was discarded.
   */
  static async open(
    dir: string,
    fingerprint: string,
    layers: number,
  ): Promise<{ folder: StreamWorkFolder; discarded: boolean }> {
    const runFile = join(dir, "run.json");
    let discarded = false;
    if (await exists(runFile)) {
      const previous = JSON.parse(await readFile(runFile, "utf8")) as {
        format?: string;
        fingerprint?: string;
      };
      if (previous.format !== FORMAT || previous.fingerprint !== fingerprint) {
        await rm(dir, { recursive: true, force: true });
        discarded = true;
      }
    } else if (await exists(dir)) {
      const s = await stat(dir);
      if (!s.isDirectory())
        throw new CftkitError("LM_STREAM_WORK_DIR", `${dir}: the streamed run's work folder path is a file`);
    }
    await mkdir(dir, { recursive: true });
    if (!(await exists(runFile))) await writeJsonAtomic(runFile, { format: FORMAT, fingerprint, layers });
    return { folder: new StreamWorkFolder(dir, layers), discarded };
  }

  meansPath(layer: number): string {
    return join(this.dir, `means.${layer}.f32`);
  }

  spoolPath(layer: number): string {
    return join(this.dir, `hidden.${layer}.f32`);
  }

  /**
   * The last layer whose means are saved and from which work can go on (its spool is there, or it is the
   * last layer), or -1 when nothing is finished.
   */
  async lastFinishedLayer(): Promise<number> {
    let last = -1;
    while (last + 1 < this.layers && (await exists(this.meansPath(last + 1)))) last++;
    while (last >= 0 && last < this.layers - 1 && !(await exists(this.spoolPath(last)))) last--;
    return last;
  }

  async saveMeans(layer: number, means: Float32Array): Promise<void> {
    await writeFileAtomic(
      this.meansPath(layer),
      new Uint8Array(means.buffer, means.byteOffset, means.byteLength),
    );
  }

  async readMeans(layer: number): Promise<Float32Array> {
    const bytes = await readFile(this.meansPath(layer));
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    return new Float32Array(copy.buffer);
  }

  async dropSpool(layer: number): Promise<void> {
    await rm(this.spoolPath(layer), { force: true });
  }

  /** Remove the whole folder (after the caller has written the final output). */
  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
