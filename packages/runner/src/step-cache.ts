import { existsSync, promises as fs } from "node:fs";
import { join } from "node:path";
import { stableHash, writeJsonAtomic } from "@cftkit/core";

/** What a finished step leaves behind: its key, when it ran, and the artifacts it reports. */
export interface StepRecord<T> {
  step: string;
  key: string;
  inputs: unknown;
  result: T;
  started_at: string;
  finished_at: string;
  seconds: number;
}

/**
 * A step's outputs live in `<root>/<step>-<hash of inputs>/`; the step counts as done only once its
 * `step.json` is written (atomically, last). A re-run with the same inputs skips it; an interrupted one
 * finds no `step.json` and runs again in the same folder (steps that can resume, such as training,
 * pick up their own checkpoints there).
 */
export class StepCache {
  constructor(readonly root: string) {}

  keyOf(step: string, inputs: unknown): string {
    return stableHash({ step, inputs }).slice(0, 12);
  }

  dirOf(step: string, inputs: unknown): string {
    return join(this.root, `${step}-${this.keyOf(step, inputs)}`);
  }

  async lookup<T>(step: string, inputs: unknown): Promise<StepRecord<T> | null> {
    const file = join(this.dirOf(step, inputs), "step.json");
    if (!existsSync(file)) return null;
    try {
      return JSON.parse(await fs.readFile(file, "utf8")) as StepRecord<T>;
    } catch {
      return null; // unreadable marker: treat as not done
    }
  }

  /**
   * Run `work(dir)` unless a finished record exists for these inputs. Returns the record and whether it
   * was reused.
   */
  async run<T>(
    step: string,
    inputs: unknown,
    work: (dir: string) => Promise<T>,
  ): Promise<{ record: StepRecord<T>; reused: boolean; dir: string }> {
    const dir = this.dirOf(step, inputs);
    const existing = await this.lookup<T>(step, inputs);
    if (existing) return { record: existing, reused: true, dir };
    await fs.mkdir(dir, { recursive: true });
    const started = Date.now();
    const result = await work(dir);
    const finished = Date.now();
    const record: StepRecord<T> = {
      step,
      key: this.keyOf(step, inputs),
      inputs,
      result,
      started_at: new Date(started).toISOString(),
      finished_at: new Date(finished).toISOString(),
      seconds: (finished - started) / 1000,
    };
    await writeJsonAtomic(join(dir, "step.json"), record);
    return { record, reused: false, dir };
  }
}

/** Every finished step record under a cache root (for the run's manifest). */
export async function listSteps(root: string): Promise<{ step: string; key: string; seconds: number }[]> {
  if (!existsSync(root)) return [];
  const out: { step: string; key: string; seconds: number }[] = [];
  for (const entry of (await fs.readdir(root)).sort()) {
    const file = join(root, entry, "step.json");
    if (!existsSync(file)) continue;
    const record = JSON.parse(await fs.readFile(file, "utf8")) as {
      step: string;
      key: string;
      seconds: number;
    };
    out.push({ step: record.step, key: record.key, seconds: record.seconds });
  }
  return out;
}
