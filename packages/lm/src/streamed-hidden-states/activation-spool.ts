/**
 * The hidden states of every prompt after one layer, on disk: prompts in processing order, each prompt's
 * tokens back to back as float32 [tokens, hidden]. A layer reads its input spool a batch at a time and
 * appends its output to the next one, so memory holds one batch however many prompts there are; the
 * finished spool is also what an interrupted run resumes from.
 */
import { open } from "node:fs/promises";
import { AtomicFileWriter, CftkitError } from "@cftkit/core";

/** Read `[firstToken, endToken)` token rows (each `hiddenSize` floats) from a spool file. */
export async function readSpoolTokens(
  path: string,
  hiddenSize: number,
  firstToken: number,
  endToken: number,
): Promise<Float32Array> {
  const out = new Float32Array((endToken - firstToken) * hiddenSize);
  const bytes = new Uint8Array(out.buffer);
  const handle = await open(path, "r");
  try {
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(
        bytes,
        filled,
        Math.min(bytes.length - filled, 1 << 30),
        firstToken * hiddenSize * 4 + filled,
      );
      if (bytesRead === 0)
        throw new CftkitError(
          "LM_STREAM_SPOOL_TRUNCATED",
          `${path}: activation spool ends early (delete it to redo the layer)`,
        );
      filled += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return out;
}

/** Appends token rows; the file appears under its name only on `commit()`. */
export class SpoolWriter {
  private constructor(private readonly writer: AtomicFileWriter) {}

  static async open(path: string): Promise<SpoolWriter> {
    return new SpoolWriter(await AtomicFileWriter.open(path));
  }

  async append(tokens: Float32Array): Promise<void> {
    await this.writer.write(new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength));
  }

  commit(): Promise<void> {
    return this.writer.commit();
  }

  abort(): Promise<void> {
    return this.writer.abort();
  }
}
