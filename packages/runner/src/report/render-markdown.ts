import { desSetNote } from "./des-set-note.js";
import type { ExperimentResults } from "./experiment-results.js";
import { fmt, fmtDelta } from "./format-number.js";
import { PAPER_REFERENCE, paperRows } from "./paper-numbers.js";
import { durationText, pairTitle } from "./render-html.js";
import { captionWarnings, whatHappened } from "./summary.js";

/** The report as Markdown: the same tables as the HTML, without charts. */
export function renderMarkdown(results: ExperimentResults): string {
  const lines: string[] = [];
  lines.push(`# ${results.name}`, "");
  lines.push(
    `Run ${results.created_at} · profile \`${results.profile}\` · backend \`${results.backend}\` · seed ${results.seed} · model \`${results.model.preset}\` (${results.model.parameters.toLocaleString("en-US")} parameters) · ${durationText(results)}`,
    "",
  );
  lines.push("## What happened", "", whatHappened(results).join(" "), "");
  for (const w of captionWarnings(results)) lines.push(`> ⚠ **Warning:** ${w}`, "");
  lines.push("## Phase pairs", "");
  lines.push(
    "| pair | Phase 1 data | Phase 2 data | DES | EA after P1 | MA after P1 | Overall after P1 | English loss after P1 |",
  );
  lines.push("|---|---|---|---:|---:|---:|---:|---:|");
  for (const pair of results.pairs) {
    lines.push(
      `| ${pair.name} | ${pair.phase1_data} | ${pair.phase2_data} | ${fmt(pair.des)} | ${fmt(pair.phase1.ea)} | ${fmt(pair.phase1.ma)} | ${fmt(pair.phase1.overall)} | ${fmt(pair.phase1.english_loss)} |`,
    );
  }
  lines.push("", `DES encoder: ${results.pairs[0]?.des_encoder ?? "—"}.`, "");
  for (const note of results.pairs.map(desSetNote).filter((n) => n)) lines.push(`${note}`, "");
  const withMpd = results.pairs.filter((p) => p.paper_mpd);
  if (withMpd.length) {
    lines.push(
      "| pair | MPD (paper, Definition 2) | normalised (Table 4) | reference model |",
      "|---|---:|---:|---|",
    );
    for (const p of withMpd)
      lines.push(
        `| ${p.name} | ${fmt(p.paper_mpd!.mpd, 4)} | ${fmt(p.paper_mpd!.normalized, 2)} | ${p.paper_mpd!.reference} |`,
      );
    lines.push("");
  }
  for (const pair of results.pairs) {
    lines.push(
      `## ${pairTitle(pair)}`,
      "",
      `Phase 1 data: ${pair.phase1_data} · Phase 2 data: ${pair.phase2_data}`,
      "",
    );
    lines.push(
      "| strategy | EA P1 | EA P2 | ΔEA | MA P1 | MA P2 | ΔMA | Overall P1 | Overall P2 | ΔOverall | English loss P2 (ΔEnglish loss) | multilingual loss P2 (Δmultilingual loss) | P1→P2 weight change (norm.) | max drift |",
    );
    lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const s of results.strategies.filter((x) => x.pair === pair.name)) {
      const maxDrift = Math.max(...s.drift.map((d) => d.spectral));
      lines.push(
        `| ${s.strategy} | ${fmt(s.phase1.ea)} | ${fmt(s.phase2.ea)} | ${fmtDelta(s.delta.ea)} | ${fmt(s.phase1.ma)} | ${fmt(s.phase2.ma)} | ${fmtDelta(s.delta.ma)} | ${fmt(s.phase1.overall)} | ${fmt(s.phase2.overall)} | ${fmtDelta(s.delta.overall)} | ${fmt(s.phase2.english_loss)} (${fmtDelta(s.delta.english_loss)}) | ${fmt(s.phase2.multilingual_loss)} (${fmtDelta(s.delta.multilingual_loss)}) | ${fmt(s.mpd, 4)} (${fmt(s.mpd_normalized, 2)}) | ${fmt(maxDrift, 4)} |`,
      );
    }
    lines.push("");
  }
  lines.push("## Measures", "", ...results.measures.map((m) => `- ${m}`), "");
  lines.push(
    `## The paper's numbers (${PAPER_REFERENCE.model}, 7B scale, real benchmarks — for comparison only)`,
    "",
  );
  lines.push(`${PAPER_REFERENCE.citation}.`, "");
  lines.push(
    `${PAPER_REFERENCE.dissimilar.pair}: Phase 1 EA ${PAPER_REFERENCE.dissimilar.phase1.ea}, DES ${PAPER_REFERENCE.dissimilar.des}.`,
    "",
  );
  lines.push("| strategy | EA | MA | Overall |", "|---|---:|---:|---:|");
  for (const v of paperRows()) lines.push(`| ${v.strategy} | ${v.ea} | ${v.ma} | ${fmt(v.overall)} |`);
  lines.push(
    "",
    `${PAPER_REFERENCE.similar.pair}: EA ${PAPER_REFERENCE.similar.phase1.ea} → ${PAPER_REFERENCE.similar.phase2.baseline!.ea}, MA ${PAPER_REFERENCE.similar.phase1.ma} → ${PAPER_REFERENCE.similar.phase2.baseline!.ma}, DES ${PAPER_REFERENCE.similar.des}.`,
    "",
  );
  if (results.notes.length) lines.push("## Notes", "", ...results.notes.map((n) => `- ${n}`), "");
  return `${lines.join("\n")}\n`;
}
