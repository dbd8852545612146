import { promises as fs } from "node:fs";
import { dirname } from "node:path";
import { tempPathFor } from "./atomic-write.js";

/**
 * A streaming writer whose output appears at `target` only on `commit()`; `abort()` (or a crash)
 * leaves the target untouched. For outputs too large to build in memory.
 */
export class AtomicFileWriter {
  private constructor(
    readonly target: string,
    private readonly tmp: string,
    private readonly handle: fs.FileHandle,
  ) {}

  static async open(target: string): Promise<AtomicFileWriter> {
    await fs.mkdir(dirname(target), { recursive: true });
    const tmp = tempPathFor(target);
    return new AtomicFileWriter(target, tmp, await fs.open(tmp, "w"));
  }

  private pending = "";
  bytesWritten = 0;

  /** Append bytes or text; text is buffered into ~1 MB writes. */
  async write(data: string | Uint8Array): Promise<void> {
    if (typeof data === "string") {
      this.pending += data;
      if (this.pending.length >= 1 << 20) await this.flushText();
      return;
    }
    await this.flushText();
    await this.writeAll(data);
  }

  private async flushText(): Promise<void> {
    if (this.pending.length === 0) return;
    const bytes = Buffer.from(this.pending);
    this.pending = "";
    await this.writeAll(bytes);
  }

  private async writeAll(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
    this.bytesWritten += bytes.length;
  }

  async commit(): Promise<void> {
    await this.flushText();
    await this.handle.sync();
    await this.handle.close();
    await fs.rename(this.tmp, this.target);
  }

  async abort(): Promise<void> {
    this.pending = "";
    await this.handle.close().catch(() => undefined);
    await fs.rm(this.tmp, { force: true });
  }
}
