import { describe, expect, it } from "vitest";
import { mpdOptionsSchema, mpdReference } from "./similarity-options.js";

describe("mpdReference", () => {
  it("takes --reference, or its alias --base, and both when they name the same model", () => {
    expect(mpdReference({ reference: "runs/multialpaca" })).toBe("runs/multialpaca");
    expect(mpdReference({ base: "runs/multialpaca" })).toBe("runs/multialpaca");
    expect(mpdReference({ reference: "m", base: "m" })).toBe("m");
  });

  it("refuses two different models, or none, with a typed error naming the flags", () => {
    expect(() => mpdReference({ reference: "a", base: "b" })).toThrow(
      expect.objectContaining({ code: "MPD_REFERENCE_TWICE", message: expect.stringMatching(/alias/) }),
    );
    expect(() => mpdReference({})).toThrow(
      expect.objectContaining({ code: "MPD_NO_REFERENCE", message: expect.stringMatching(/--reference/) }),
    );
  });

  it("the schema refuses an empty folder name and describes every field", () => {
    expect(mpdOptionsSchema.safeParse({ reference: "" }).success).toBe(false);
    for (const field of Object.values(mpdOptionsSchema.shape)) expect(field.description).toBeTruthy();
  });
});
