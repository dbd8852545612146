import { desSetNote } from "./des-set-note.js";
import type { AbilityScores, ExperimentResults, StrategyResult } from "./experiment-results.js";
import { fmt, fmtDelta } from "./format-number.js";
import { PAPER_REFERENCE, paperRows } from "./paper-numbers.js";
import { captionWarnings, whatHappened } from "./summary.js";

/** Charts rendered beforehand (inline SVG documents), keyed by what they show. */
export interface ReportCharts {
  drift: Record<string, string>;
  projection: string;
  training: Record<string, string>;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** A table cell coloured by the sign of a change; `higherIsBetter` says which sign is good. */
function deltaCell(value: number, higherIsBetter: boolean): string {
  const good = higherIsBetter ? value > 0 : value < 0;
  const cls = Math.abs(value) < 1e-9 ? "flat" : good ? "up" : "down";
  return `<td class="num ${cls}">${fmtDelta(value)}</td>`;
}

/** Strip an SVG document's XML prolog so it can sit inline in HTML. */
function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, "");
}

function strategyRow(s: StrategyResult): string {
  const maxDrift = Math.max(...s.drift.map((d) => d.spectral));
  return `<tr><th scope="row">${escapeHtml(s.strategy)}</th>
<td class="num">${fmt(s.phase1.ea)}</td><td class="num">${fmt(s.phase2.ea)}</td>${deltaCell(s.delta.ea, true)}
<td class="num">${fmt(s.phase1.ma)}</td><td class="num">${fmt(s.phase2.ma)}</td>${deltaCell(s.delta.ma, true)}
<td class="num">${fmt(s.phase1.overall)}</td><td class="num">${fmt(s.phase2.overall)}</td>${deltaCell(s.delta.overall, true)}
<td class="num">${fmt(s.phase2.english_loss)}</td>${deltaCell(s.delta.english_loss, false)}
<td class="num">${fmt(s.phase2.multilingual_loss)}</td>${deltaCell(s.delta.multilingual_loss, false)}
<td class="num">${fmt(s.mpd_normalized, 2)}</td><td class="num">${fmt(maxDrift, 4)}</td></tr>`;
}

/** Every task score of each model, English tasks first, with the EA, MA and Overall they add up to. */
function taskTable(title: string, scores: { label: string; scores: AbilityScores }[]): string {
  const abilityOf = (t: string) =>
    scores.find((s) => s.scores.task_abilities?.[t])?.scores.task_abilities[t] ?? "";
  const tasks = [...new Set(scores.flatMap((s) => Object.keys(s.scores.tasks)))].sort(
    (a, b) => abilityOf(a).localeCompare(abilityOf(b)) || a.localeCompare(b),
  );
  const head = tasks.map((t) => `<th scope="col">${escapeHtml(t)} (${abilityOf(t)})</th>`).join("");
  const rows = scores
    .map(
      (s) =>
        `<tr><th scope="row">${escapeHtml(s.label)}</th>${tasks.map((t) => `<td class="num">${fmt(s.scores.tasks[t])}</td>`).join("")}<td class="num">${fmt(s.scores.ea)}</td><td class="num">${fmt(s.scores.ma)}</td><td class="num">${fmt(s.scores.overall)}</td></tr>`,
    )
    .join("\n");
  return `<details><summary>${escapeHtml(title)}</summary><div class="scroll"><table><thead><tr><th></th>${head}<th scope="col">EA</th><th scope="col">MA</th><th scope="col">Overall</th></tr></thead><tbody>${rows}</tbody></table></div></details>`;
}

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1f24;background:#fafbfc}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #d8dee4;padding-bottom:4px}
.meta{color:#57606a;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0;background:#fff}
th,td{border:1px solid #d8dee4;padding:4px 8px;font-size:13px}thead th{background:#f3f4f6}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.up{background:#dafbe1;color:#116329}td.down{background:#ffebe9;color:#a40e26}td.flat{color:#57606a}
.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{background:#fff;border:1px solid #d8dee4;padding:8px}
.paper{background:#fff8c5;border:1px solid #d4a72c;padding:8px 12px}
.scroll{overflow-x:auto}pre{background:#f6f8fa;padding:8px;overflow-x:auto;font-size:12px}
.kpi{display:flex;gap:16px;flex-wrap:wrap}.kpi div{background:#fff;border:1px solid #d8dee4;padding:8px 12px}
.kpi b{display:block;font-size:20px}
.lead{font-size:16px;background:#fff;border-left:4px solid #0969da;padding:8px 12px}
.warn{background:#fff1e5;border:1px solid #bc4c00;color:#762c00;padding:8px 12px;margin:8px 0}
`;

/** Column titles of a pair's strategy table: each says what it is, no two alike. */
const STRATEGY_COLUMNS = [
  "strategy",
  "EA P1",
  "EA P2",
  "ΔEA",
  "MA P1",
  "MA P2",
  "ΔMA",
  "Overall P1",
  "Overall P2",
  "ΔOverall",
  "English loss P2",
  "ΔEnglish loss",
  "multilingual loss P2",
  "Δmultilingual loss",
  "P1→P2 weight change (norm.)",
  "max drift ‖ΔΣ‖₂",
];

/** A pair's section title: its name and what it pairs (not file paths). */
export function pairTitle(pair: { name: string; description: string }): string {
  return pair.description ? `${pair.name}: ${pair.description}` : pair.name;
}

/** The run's duration (steps reused from an earlier invocation count with their recorded time). */
export function durationText(results: ExperimentResults): string {
  const total = `${fmt(results.seconds / 60, 1)} min of steps`;
  const now = results.invocation_seconds;
  return now !== undefined && Math.abs(now - results.seconds) > 30
    ? `${total} (this invocation ${fmt(now / 60, 1)} min)`
    : total;
}

/** The self-contained HTML report: inline CSS and SVG, no script, no network. */
export function renderHtml(results: ExperimentResults, charts: ReportCharts): string {
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(results.name)}</title><style>${STYLE}</style></head><body><main>`);
  parts.push(`<h1>${escapeHtml(results.name)}</h1>
<p class="meta">Run ${escapeHtml(results.created_at)} · profile <code>${escapeHtml(results.profile)}</code> · backend <code>${escapeHtml(results.backend)}</code> · seed ${results.seed} · model <code>${escapeHtml(results.model.preset)}</code> (${results.model.parameters.toLocaleString("en-US")} parameters) · ${durationText(results)}</p>`);
  parts.push(`<h2>What happened</h2><p class="lead">${whatHappened(results).map(escapeHtml).join(" ")}</p>`);
  const warnings = captionWarnings(results);
  parts.push(warnings.map((w) => `<p class="warn" role="alert">⚠ ${escapeHtml(w)}</p>`).join(""));

  parts.push(
    `<h2>Forgetting risk before training</h2><div class="kpi">${results.pairs
      .map(
        (p) =>
          `<div>${escapeHtml(pairTitle(p))}<b>DES ${fmt(p.des)}</b>After Phase 1: EA ${fmt(p.phase1.ea)} · MA ${fmt(p.phase1.ma)} · Overall ${fmt(p.phase1.overall)} · English loss ${fmt(p.phase1.english_loss)}</div>`,
      )
      .join(
        "",
      )}</div><p class="meta">DES encoder: ${escapeHtml(results.pairs[0]?.des_encoder ?? "—")}. Lower DES = more dissimilar phases = more forgetting expected (paper §4).</p>${results.pairs
      .map(desSetNote)
      .filter((n) => n)
      .map((n) => `<p class="meta">${escapeHtml(n!)}</p>`)
      .join("")}`,
  );

  for (const pair of results.pairs) {
    const rows = results.strategies.filter((s) => s.pair === pair.name);
    parts.push(`<h2>${escapeHtml(pairTitle(pair))}</h2>
<p class="meta">Phase 1 data: ${escapeHtml(pair.phase1_data)} · Phase 2 data: ${escapeHtml(pair.phase2_data)}</p>
<div class="scroll"><table><thead><tr>${STRATEGY_COLUMNS.map((c) => `<th scope="col">${c}</th>`).join("")}</tr></thead>
<tbody>${rows.map(strategyRow).join("\n")}</tbody></table></div>`);
    parts.push(
      taskTable(`Every task score, ${pair.name}`, [
        { label: "Phase 1", scores: pair.phase1 },
        ...rows.map((s) => ({ label: s.strategy, scores: s.phase2 })),
      ]),
    );
    const drift = charts.drift[pair.name];
    const training = charts.training[pair.name];
    parts.push(
      `<div class="charts">${drift ? `<figure class="chart">${inlineSvg(drift)}<figcaption>${escapeHtml(pair.name)}: representation drift per layer, ‖Σ<sub>P2</sub> − Σ<sub>P1</sub>‖₂ on MT-Bench prompts (paper Figures 2-3)</figcaption></figure>` : ""}${training ? `<figure class="chart">${inlineSvg(training)}<figcaption>${escapeHtml(pair.name)}: Phase-2 training loss (y axis scaled to the data)</figcaption></figure>` : ""}</div>`,
    );
  }

  if (charts.projection) {
    parts.push(
      `<h2>Per-layer mean activations, 2-D projection (${escapeHtml(results.projection.method)})</h2><div class="charts"><figure class="chart">${inlineSvg(charts.projection)}<figcaption>Each point is one layer of one model (paper Figure 1).</figcaption></figure></div>`,
    );
  }

  parts.push(`<h2>The paper's numbers, for comparison</h2><div class="paper"><p><b>These are the paper's published results at 7B scale on real benchmarks (${escapeHtml(PAPER_REFERENCE.model)}), not this run's.</b> ${escapeHtml(PAPER_REFERENCE.citation)}.</p>
<p>${escapeHtml(PAPER_REFERENCE.dissimilar.pair)} (DES ${PAPER_REFERENCE.dissimilar.des}): Phase 1 EA ${PAPER_REFERENCE.dissimilar.phase1.ea}.</p>
<table><thead><tr><th>strategy</th><th>EA</th><th>ΔEA vs P1</th><th>MA</th><th>Overall</th></tr></thead><tbody>${paperRows()
    .map(
      (v) =>
        `<tr><th scope="row">${escapeHtml(v.strategy)}</th><td class="num">${v.ea}</td>${deltaCell(v.ea - PAPER_REFERENCE.dissimilar.phase1.ea, true)}<td class="num">${v.ma}</td><td class="num">${fmt(v.overall)}</td></tr>`,
    )
    .join("")}</tbody></table>
<p>${escapeHtml(PAPER_REFERENCE.similar.pair)} (DES ${PAPER_REFERENCE.similar.des}): EA ${PAPER_REFERENCE.similar.phase1.ea} → ${PAPER_REFERENCE.similar.phase2.baseline!.ea}, MA ${PAPER_REFERENCE.similar.phase1.ma} → ${PAPER_REFERENCE.similar.phase2.baseline!.ma} (no forgetting).</p></div>`);

  parts.push(
    `<h2>Measures</h2><ul>${results.measures.map((m) => `<li>${escapeHtml(m)}</li>`).join("")}</ul>`,
  );
  if (results.notes.length)
    parts.push(`<h2>Notes</h2><ul>${results.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`);
  parts.push(
    `<h2>Exact configurations</h2>${results.strategies
      .map(
        (s) =>
          `<details><summary>${escapeHtml(s.pair)} · ${escapeHtml(s.strategy)}</summary><pre>${escapeHtml(JSON.stringify({ details: s.details, plan: s.plan }, null, 2))}</pre></details>`,
      )
      .join("\n")}`,
  );
  parts.push(
    `<details><summary>Model configuration</summary><pre>${escapeHtml(JSON.stringify(results.model.config, null, 2))}</pre></details>`,
  );
  parts.push("</main></body></html>\n");
  return parts.join("\n");
}
