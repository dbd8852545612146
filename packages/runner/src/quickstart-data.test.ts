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
      // Each QA item asks its question: the prompt ends with the user's turn holding the context.
      const qa = readFileSync(join(out, data.qa), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
      for (const item of qa) {
        expect(item.messages.at(-1)?.role).toBe("user");
        expect(item.messages.at(-1)!.content.length).toBeGreaterThan(20);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
