import { describe, expect, it } from "vitest";
import { loadChoicesSchema, loadOptionsFromChoices } from "./load-choices.js";

describe("loadChoicesSchema / loadOptionsFromChoices", () => {
  it("fills the defaults and leaves detection to the format when not asked for", () => {
    expect(loadOptionsFromChoices(loadChoicesSchema.parse({}))).toEqual({ format: "auto", onError: "fail" });
  });

  it("turns key=column pairs into a field mapping and passes the rest through", () => {
    const choices = loadChoicesSchema.parse({
      from: "alpaca",
      fields: ["instruction=q", "output=a"],
      detectLanguage: true,
      candidates: ["en", "fr"],
      language: "de",
      onError: "skip",
    });
    expect(loadOptionsFromChoices(choices)).toEqual({
      format: "alpaca",
      onError: "skip",
      language: "de",
      detectLanguage: true,
      languageCandidates: ["en", "fr"],
      fields: { instruction: "q", output: "a" },
    });
  });

  it("refuses a pair without '=' and an unknown format", () => {
    expect(loadChoicesSchema.safeParse({ fields: ["instruction"] }).success).toBe(false);
    expect(loadChoicesSchema.safeParse({ from: "csv" }).success).toBe(false);
  });
});
