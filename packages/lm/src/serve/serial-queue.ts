import { CftkitError } from "@cftkit/core";

/**
 * Runs tasks one at a time, first come first served: the embedded model computes one request at a time, so
 * concurrent HTTP requests wait here. A task whose signal aborts while it waits is dropped without running.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private waitingCount = 0;

  /** Tasks waiting or running. */
  get size(): number {
    return this.waitingCount;
  }

  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    this.waitingCount++;
    const result = this.tail.then(async () => {
      if (signal?.aborted)
        throw new CftkitError("LM_ABORTED", "the request was cancelled before it ran", { exitCode: 1 });
      return task();
    });
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.tail = settled.then(() => {
      this.waitingCount--;
    });
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  async idle(): Promise<void> {
    while (this.waitingCount > 0) await this.tail;
  }
}
