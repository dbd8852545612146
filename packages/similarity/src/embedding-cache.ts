import { existsSync, promises as fs, readFileSync, truncateSync } from "node:fs";
import { dirname } from "node:path";
import { sha256 } from "@cftkit/core";
import type { ProgressReporter } from "@cftkit/core";
import type { TextEncoder } from "./encoders/text-encoder.js";

/**
 * Wraps an encoder with an append-only JSONL cache keyed by sha256(model id, text), so a re-run only
 * embeds texts it has not seen. A torn last line (a killed run) is ignored on load.
 */
export class CachedEncoder implements TextEncoder {
  private readonly vectors = new Map<string, Float32Array>();

  constructor(
    private readonly inner: TextEncoder,
    private readonly path: string,
  ) {
    if (existsSync(path)) {
      const text = readFileSync(path, "utf8");
      // A killed run may leave a torn last line: cut it so the next append starts on a fresh line.
      if (text.length && !text.endsWith("\n"))
        truncateSync(path, Buffer.byteLength(text.slice(0, text.lastIndexOf("\n") + 1)));
      for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        try {
          const { k, v } = JSON.parse(line) as { k: string; v: string };
          const bytes = Buffer.from(v, "base64");
          this.vectors.set(k, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice());
        } catch {
          // torn or foreign line: skip it, the text is simply embedded again
        }
      }
    }
  }

  get id(): string {
    return this.inner.id;
  }

  get cachedCount(): number {
    return this.vectors.size;
  }

  private keyOf(text: string): string {
    return sha256(`${this.inner.id}\u0000${text}`);
  }

  async embed(texts: string[], options: { progress?: ProgressReporter } = {}): Promise<Float32Array[]> {
    const missing = [...new Set(texts.filter((t) => !this.vectors.has(this.keyOf(t))))];
    if (missing.length) {
      const fresh = await this.inner.embed(missing, options);
      const lines = missing.map((text, i) => {
        const key = this.keyOf(text);
        this.vectors.set(key, fresh[i]!);
        return JSON.stringify({
          k: key,
          v: Buffer.from(fresh[i]!.buffer, fresh[i]!.byteOffset, fresh[i]!.byteLength).toString("base64"),
        });
      });
      await fs.mkdir(dirname(this.path), { recursive: true });
      await fs.appendFile(this.path, `${lines.join("\n")}\n`);
    }
    return texts.map((t) => this.vectors.get(this.keyOf(t))!);
  }

  async dispose(): Promise<void> {
    await this.inner.dispose?.();
  }
}
