import { describe, expect, it } from "vitest";
import { rehearseOptionsSchema } from "./rehearse-options.js";

describe("rehearseOptionsSchema (`cftkit train rehearse` flags)", () => {
  it("trains by default: no merge, no check-only, unsupported keys refused", () => {
    expect(rehearseOptionsSchema.parse({})).toEqual({
      mergeLora: false,
      check: false,
      ignoreUnsupported: false,
    });
    expect(rehearseOptionsSchema.safeParse({ check: "yes" }).success).toBe(false);
  });
});
