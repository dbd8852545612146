import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { CftkitError, readJsonLines } from "@cftkit/core";

export interface JournalOptions {
  /** fsync after this many appended records. Default 32. */
  fsyncEvery?: number;
  /** …or when this long has passed since the first unsynced record. Default 1000 ms. */
  fsyncIntervalMs?: number;
  /** Called for every record already in the file (in order), before `open` resolves. */
  onExisting?: (record: Record<string, unknown>, lineNumber: number) => void;
}

export interface JournalOpenReport {
  /** Records already in the file. */
  existing: number;
  /** Bytes cut off the end because the last line was torn (a crash mid-write). */
  tornBytes: number;
  /** Records in the file whose id appeared earlier in it (kept once; never written by cftkit). */
  duplicatesInFile: number;
}

/**
 * An append-only JSONL file with one record (an object with a string `id`) per line. Every record is
 * written with one `write` as soon as it is appended (so a killed process loses nothing it appended) and the
 * file is fsync'ed in batches. Opening an existing file cuts a torn last line away, reads the ids already
 * there, and refuses to append an id twice.
 */
export class AppendOnlyJournal {
  readonly path: string;
  private fd: number | null;
  private readonly ids: Set<string>;
  private readonly fsyncEvery: number;
  private readonly fsyncIntervalMs: number;
  private unsynced = 0;
  private timer: NodeJS.Timeout | null = null;

  private constructor(path: string, fd: number, ids: Set<string>, options: JournalOptions) {
    this.path = path;
    this.fd = fd;
    this.ids = ids;
    this.fsyncEvery = Math.max(1, options.fsyncEvery ?? 32);
    this.fsyncIntervalMs = Math.max(1, options.fsyncIntervalMs ?? 1000);
  }

  static async open(
    path: string,
    options: JournalOptions = {},
  ): Promise<{ journal: AppendOnlyJournal; report: JournalOpenReport }> {
    mkdirSync(dirname(path), { recursive: true });
    const tornBytes = existsSync(path) ? repairTornTail(path) : 0;
    const ids = new Set<string>();
    let existing = 0;
    let duplicatesInFile = 0;
    if (existsSync(path)) {
      for await (const line of readJsonLines(path)) {
        if (!line.ok) {
          throw new CftkitError(
            "REPLAY_JOURNAL_CORRUPT",
            `${path}:${line.lineNumber}: not valid JSON (${line.reason}); only the last line may be torn`,
            { details: { path, line: line.lineNumber } },
          );
        }
        const value = line.value as Record<string, unknown> | null;
        if (!value || typeof value !== "object" || typeof value.id !== "string") {
          throw new CftkitError(
            "REPLAY_JOURNAL_CORRUPT",
            `${path}:${line.lineNumber}: record without a string id`,
            {
              details: { path, line: line.lineNumber },
            },
          );
        }
        if (ids.has(value.id)) {
          duplicatesInFile++;
          continue;
        }
        ids.add(value.id);
        existing++;
        options.onExisting?.(value, line.lineNumber);
      }
    }
    const fd = openSync(path, "a");
    return {
      journal: new AppendOnlyJournal(path, fd, ids, options),
      report: { existing, tornBytes, duplicatesInFile },
    };
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }

  /** Append one record (one write call); fsync when the batch is full. */
  append(record: { id: string }): void {
    if (this.fd === null)
      throw new CftkitError("REPLAY_JOURNAL_CLOSED", `${this.path} is closed`, { exitCode: 1 });
    if (this.ids.has(record.id)) {
      throw new CftkitError("REPLAY_DUPLICATE_ID", `${this.path}: id ${record.id} is already recorded`, {
        exitCode: 1,
      });
    }
    const bytes = Buffer.from(`${JSON.stringify(record)}\n`);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset);
    this.ids.add(record.id);
    this.unsynced++;
    if (this.unsynced >= this.fsyncEvery) this.flush();
    else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  /** fsync what was appended. */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.fd !== null && this.unsynced > 0) {
      fsyncSync(this.fd);
      this.unsynced = 0;
    }
  }

  close(): void {
    this.flush();
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}

/** Cut everything after the last newline (a line torn by a crash). Returns the bytes removed. */
export function repairTornTail(path: string): number {
  const fd = openSync(path, "r+");
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return 0;
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    let keep = 0;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const n = readSync(fd, chunk, 0, end - start, start);
      const i = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (i >= 0) {
        keep = start + i + 1;
        break;
      }
      end = start;
    }
    ftruncateSync(fd, keep);
    fsyncSync(fd);
    return size - keep;
  } finally {
    closeSync(fd);
  }
}

/**
 * An exclusive lock for one output file, so two runs never append to the same journal. The lock file holds
 * the owner's pid; a lock left by a process that no longer exists (SIGKILL) is taken over.
 */
export function acquireRunLock(target: string): () => void {
  const lockPath = `${target}.lock`;
  mkdirSync(dirname(lockPath), { recursive: true });
  for (let tries = 0; tries < 3; tries++) {
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { flag: "wx" });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number.parseInt(safeRead(lockPath), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new CftkitError(
          "REPLAY_LOCKED",
          `${target} is being written by process ${pid} (lock ${lockPath}); wait for it or stop it`,
          { exitCode: 1, details: { pid, lockPath } },
        );
      }
      try {
        unlinkSync(lockPath);
      } catch {
        // raced with another taker
      }
    }
  }
  throw new CftkitError("REPLAY_LOCKED", `could not take the lock ${lockPath}`, { exitCode: 1 });
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
