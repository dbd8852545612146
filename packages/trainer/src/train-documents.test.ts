import { describe, expect, it } from "vitest";
import { parseAxolotlLog } from "./axolotl-log-parser.js";
import { axolotlLogDocument } from "./train-documents.js";
import { fixtureCombinedLog } from "./testing/axolotl-output.js";

describe("axolotlLogDocument (cftkit train logs --json)", () => {
  it("counts the metric lines by type and keeps the progress and failure signatures", () => {
    const doc = axolotlLogDocument(parseAxolotlLog(fixtureCombinedLog(8)));
    // 8 train lines, the nan and inf lines and one after a tqdm redraw; one eval line; the summary
    expect(doc.counts).toEqual({ train: 11, eval: 1, summary: 1 });
    expect(doc.metrics).toHaveLength(13);
    expect(doc.metrics[0]).toMatchObject({ type: "train", loss: 1.45 });
    expect(doc.progress).toMatchObject({ done: 4, total: 8 }); // the last bar drawn
    expect(Array.isArray(doc.failure_signals)).toBe(true);
  });
});
