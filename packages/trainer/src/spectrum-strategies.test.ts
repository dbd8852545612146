import { describe, expect, it } from "vitest";
import { PAPER_STRATEGY_NAMES, strategyEntry } from "./strategy-catalogue.js";

describe("Spectrum strategies", () => {
  it("Spectrum is the paper's freeze-top; Spectrum_unfreeze is Spectrum's own use and not in the default grid", () => {
    expect(strategyEntry("Spectrum").freeze).toMatchObject({ heuristic: "spectrum", mode: "freeze-top" });
    expect(strategyEntry("Spectrum_unfreeze").freeze).toMatchObject({
      heuristic: "spectrum",
      mode: "unfreeze-top",
    });
    expect(PAPER_STRATEGY_NAMES).toContain("Spectrum");
    expect(PAPER_STRATEGY_NAMES).not.toContain("Spectrum_unfreeze");
  });
});
