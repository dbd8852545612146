import { appendFile, mkdir, open, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { readJsonLines, stableHash } from "@cftkit/core";
import type { TensorInfo } from "@cftkit/safetensors";
import type { SnrParts } from "./spectrum-snr.js";

/** One cached result: the SNR parts of one tensor, keyed by what identifies its bytes. */
export interface SnrCacheEntry {
  key: string;
  tensor: string;
  shape: number[];
  parts: SnrParts;
}

/**
 * Per-tensor SNR cache (JSON Lines, one line appended per finished tensor) so an interrupted scan resumes.
 * Key = hash of tensor name, dtype, shape, byte offset, and the file's name, size and mtime. A torn last
 * line from a crash is ignored.
 */
export class SnrCache {
  private readonly entries = new Map<string, SnrCacheEntry>();
  private constructor(readonly path: string | null) {}

  static async open(path: string | null): Promise<SnrCache> {
    const cache = new SnrCache(path);
    if (path === null) return cache;
    await mkdir(dirname(path), { recursive: true });
    let size = 0;
    try {
      size = (await stat(path)).size;
    } catch {
      return cache;
    }
    // A crash can leave a torn last line: end it so the next append starts a fresh line.
    if (size > 0) {
      const handle = await open(path, "r");
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      await handle.close();
      if (last[0] !== 0x0a) await appendFile(path, "\n");
    }
    for await (const line of readJsonLines(path)) {
      if (!line.ok) continue;
      const e = line.value as SnrCacheEntry;
      if (!e || typeof e.key !== "string" || typeof e.parts !== "object" || e.parts === null) continue;
      const parts = Object.fromEntries(
        Object.entries(e.parts).map(([k, v]) => [k, Number(v)]),
      ) as unknown as SnrParts;
      if (Number.isNaN(parts.sMax)) continue;
      cache.entries.set(e.key, { ...e, parts });
    }
    return cache;
  }

  static async keyOf(info: TensorInfo): Promise<string> {
    const st = await stat(info.file);
    return stableHash({
      v: 1,
      tensor: info.name,
      dtype: info.dtype,
      shape: info.shape,
      offset: info.byteOffset,
      length: info.byteLength,
      file: info.file.split(/[\\/]/).pop(),
      size: st.size,
      mtime: Math.floor(st.mtimeMs),
    });
  }

  get(key: string): SnrCacheEntry | undefined {
    return this.entries.get(key);
  }

  get size(): number {
    return this.entries.size;
  }

  async put(entry: SnrCacheEntry): Promise<void> {
    this.entries.set(entry.key, entry);
    if (this.path === null) return;
    const enc = (x: number) => (Number.isFinite(x) ? x : String(x));
    const parts = Object.fromEntries(Object.entries(entry.parts).map(([k, v]) => [k, enc(v as number)]));
    await appendFile(this.path, `${JSON.stringify({ ...entry, parts })}\n`);
  }
}
