import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { sha256, stableStringify } from "@cftkit/core";

/**
 * A persistent response cache: one JSONL line `{"key", "value"}` per answered request, keyed by sha256 of the
 * model id and the request. Entries are appended one `write` each as they arrive, so an interrupted evaluation
 * keeps everything answered so far; a torn last line (killed mid-write) is ignored on load.
 */
export class ResponseCache {
  private readonly entries = new Map<string, unknown>();
  private loading: Promise<void> | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** Lookups answered from the cache, and entries added, since this object was created. */
  readonly counters = { hits: 0, misses: 0, added: 0 };

  /** `path` = null keeps the cache in memory only. */
  constructor(readonly path: string | null) {}

  /** The key of a request: sha256 of the stable JSON of {model, request}. */
  static keyOf(model: string, request: unknown): string {
    return sha256(stableStringify({ model, request }));
  }

  /** Read the file once (concurrent callers share the one read). */
  load(): Promise<void> {
    this.loading ??= this.readEntries();
    return this.loading;
  }

  private async readEntries(): Promise<void> {
    if (!this.path) return;
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch {
      return;
    }
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        const row = JSON.parse(line) as { key?: unknown; value?: unknown };
        if (typeof row.key === "string") this.entries.set(row.key, row.value);
      } catch {
        // A torn line from an interrupted write: that request is simply asked again.
      }
    }
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get<T>(key: string): T | undefined {
    if (this.entries.has(key)) {
      this.counters.hits++;
      return this.entries.get(key) as T;
    }
    this.counters.misses++;
    return undefined;
  }

  async set(key: string, value: unknown): Promise<void> {
    this.entries.set(key, value);
    this.counters.added++;
    const path = this.path;
    if (!path) return;
    const line = `${JSON.stringify({ key, value })}\n`;
    // Serialised appends: one line per write, in order.
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(path), { recursive: true });
      await appendFile(path, line, "utf8");
    });
    await this.writing;
  }

  /** Wait for pending appends. */
  flush(): Promise<void> {
    return this.writing;
  }
}
