import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundledBaseModel, bundledDataDir } from "./bundled-data.js";
import { prepareQuickstartData } from "./quickstart-data.js";
import { QUICKSTART_PROFILES } from "./quickstart-profile.js";

describe("quickstart data with the pre-trained base", () => {
  it("evaluates only on XQuAD articles and Alpaca rows the base never saw", async () => {
    const base = bundledBaseModel();
    expect(base).not.toBeNull();
    const out = await mkdtemp(join(tmpdir(), "cftkit-qs-data-"));
    try {
      const unseen = { articles: base!.heldoutArticles, firstAlpacaRow: base!.firstHeldoutAlpacaRow };
      const data = await prepareQuickstartData(bundledDataDir(), out, QUICKSTART_PROFILES.fast, 7, unseen);
      expect(data.evalArticles.length).toBe(QUICKSTART_PROFILES.fast.evalArticles);
      for (const a of data.evalArticles) expect(unseen.articles).toContain(a);
      const alpacaRows = readFileSync(join(out, data.heldoutAlpaca), "utf8")
        .trim()
        .split("\n")
        .map((l) => Number((JSON.parse(l) as { id: string }).id.split(":").at(-1)));
      expect(alpacaRows.length).toBeGreaterThan(0);
      for (const row of alpacaRows) expect(row).toBeGreaterThanOrEqual(2500);
      // QA prompts end with the user turn holding the passage and the question; the answer is not in them.
      const qa = readFileSync(join(out, data.qa), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { messages: { role: string; content: string }[]; answers: string[] });
      const fast = QUICKSTART_PROFILES.fast;
      expect(qa.length).toBe(11 * fast.qaPerLanguage + (fast.qaEnglish ?? fast.qaPerLanguage));
      for (const item of qa) {
        expect(item.messages.map((m) => m.role)).toEqual(["user"]);
        expect(item.messages[0]!.content).toContain(item.answers[0]!); // the passage holds the span
        expect(item.messages[0]!.content.endsWith(item.answers[0]!)).toBe(false);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it("builds the mixed pair's Phase 1 from half of each other Phase-1 sample", async () => {
    const out = await mkdtemp(join(tmpdir(), "cftkit-qs-mixed-"));
    try {
      const sizes = {
        ...QUICKSTART_PROFILES.fast,
        phase1Records: 9,
        pairs: ["similar", "mixed", "dissimilar"] as const,
      };
      const data = await prepareQuickstartData(
        bundledDataDir(),
        out,
        { ...sizes, pairs: [...sizes.pairs] },
        3,
      );
      const ids = (pair: "similar" | "mixed" | "dissimilar") =>
        readFileSync(join(out, data.phase1[pair].records), "utf8")
          .trim()
          .split("\n")
          .map((l) => (JSON.parse(l) as { id: string }).id);
      const [similar, mixed, dissimilar] = [ids("similar"), ids("mixed"), ids("dissimilar")];
      expect(mixed).toEqual([...similar.slice(0, 4), ...dissimilar.slice(0, 5)]);
      expect(data.counts.phase1_mixed).toBe(9);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
