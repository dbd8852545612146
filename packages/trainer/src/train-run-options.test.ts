import { describe, expect, it } from "vitest";
import { trainRunOptionsSchema } from "./train-run-options.js";

describe("trainRunOptionsSchema (`cftkit train run` flags)", () => {
  it("defaults to Axolotl, resuming, no dry run; refuses an unknown backend", () => {
    expect(trainRunOptionsSchema.parse({})).toEqual({
      backend: "axolotl",
      dryRun: false,
      resume: true,
      verbose: false,
    });
    expect(trainRunOptionsSchema.safeParse({ backend: "deepspeed" }).success).toBe(false);
  });
});
