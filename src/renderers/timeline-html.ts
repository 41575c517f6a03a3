/**
 * `runbook timeline T --format html`: one self-contained page for the review meeting —
 * no request leaves it (styles, script, data and the player are inline). The header
 * facts and the clock, the runbook's Symptoms, the table with each row's evidence and,
 * folded under it, the output, the write and each SQL result as a table; the cells on the
 * run's clock drawn as SVG; the checklist with its Owner column; and the run's asciicast
 * played in place by asciinema-player. Every text is escaped; the same model as md and json.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { maskUrl } from '../engine/redact.js';
import { offset, timeOfDay, utcStamp } from './text/time.js';
import { finishedPhrase } from './text/status.js';
import { truncateTo } from './text/width.js';
import { checklistState, type ChecklistSource } from './timeline/checklist.js';
import type { CellOutputText, Evidence, StatementResult } from './timeline/evidence.js';
import type { MergedTimeline } from './timeline/merge.js';
import type { CellSpan, TimelineRow } from './timeline/model.js';
import { clockSummary } from './timeline/clock.js';
import { counted } from './timeline/wording.js';

export interface HtmlOptions {
  checklist?: ChecklistSource;
  /** The run's asciicast (v2 text), played in place. */
  cast?: string;
  transcriptPath?: string;
}

const esc = (text: unknown): string =>
  String(text ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** JSON inside a <script>: nothing in it can close the element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

export function renderTimelineHtml(merged: MergedTimeline, options: HtmlOptions = {}): string {
  const model = merged.runs[0];
  const started = model?.started;
  const title = started?.runbook.title ?? 'Incident timeline';
  const run = model?.run ?? '';
  const outcome = model ? `${model.outcome}${counted(model.counts)}` : 'unknown';
  const facts: [string, string][] = [
    ['Run', `<code>${esc(run)}</code>${started ? `, ${esc(started.mode)}, on ${esc(started.host)}` : ''}`],
    ...(started ? [['Runbook', `<code>${esc(started.runbook.path)}</code>`] as [string, string]] : []),
    ...(started ? [['Target', `${esc(started.target.kind === 'sandbox' ? 'SANDBOX' : started.target.kind === 'postgres' ? 'PRODUCTION' : 'no database')} ${esc(started.target.name)} <code>${esc(maskUrl(started.target.url))}</code>`] as [string, string]] : []),
    ['Actors', esc(merged.actors.join(', ') || 'unknown')],
    ...(merged.roles.length ? [['Roles', esc(merged.roles.map((r) => `${r.role} ${r.who}`).join(', '))] as [string, string]] : []),
    ['Start', esc(utcStamp(merged.startedAt))],
    ['End', esc(utcStamp(merged.endedAt))],
    ['Outcome', `<strong class="outcome-${esc(model?.outcome ?? 'unknown')}">${esc(outcome)}</strong>`],
    ...(merged.clock && merged.clock.milestones.length > 1
      ? [['Clock', esc(clockSummary(merged.clock))] as [string, string]]
      : []),
    ...(options.transcriptPath ? [['Transcript', `<code>${esc(options.transcriptPath)}</code>`] as [string, string]] : []),
  ];
  const symptoms = started?.symptoms ? `<section id="symptoms"><h2>Symptoms (from the runbook)</h2><pre class="quote">${esc(started.symptoms)}</pre></section>` : '';
  return [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} — ${esc(run)}</title>`,
    `<style>${STYLE}</style>${options.cast ? `<style>${playerAsset('asciinema-player.css')}</style>` : ''}</head>`,
    `<body data-run="${esc(run)}" data-outcome="${esc(model?.outcome ?? '')}">`,
    `<h1>Incident timeline: ${esc(title)}</h1>`,
    `<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`,
    symptoms,
    `<section id="rows"><h2>What happened</h2>${tableHtml(merged.rows)}</section>`,
    `<section id="chart"><h2>Where the minutes went</h2>${ganttSvg(merged.spans)}</section>`,
    checklistHtml(merged, options.checklist),
    options.cast ? castHtml(options.cast) : '',
    '</body></html>',
    '',
  ].join('\n');
}

function tableHtml(rows: TimelineRow[]): string {
  const body = rows.map((row) => {
    const evidence = (row.details.evidence as Evidence | undefined)?.lines ?? [];
    const status = typeof row.details.status === 'string' ? row.details.status : '';
    const more = foldedHtml(row);
    const cellAttrs = row.kind === 'cell' && row.step ? ` data-cell="${esc(row.step)}" data-status="${esc(status)}"` : '';
    return `<tr class="kind-${esc(row.kind)} status-${esc(status)}"${cellAttrs}>` +
      `<td class="time">${esc(timeOfDay(row.at, 'ms'))}</td><td class="num">${esc(offset(row.elapsedMs))}</td><td>${esc(row.actor)}</td>` +
      `<td>${row.step ? `<code>${esc(row.step)}</code>` : ''}</td><td>${esc(row.action)}</td>` +
      `<td>${esc(row.result)}${evidence.length ? `<ul class="evidence">${evidence.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : ''}${more}</td></tr>`;
  });
  return `<table class="rows"><thead><tr><th>Time (UTC)</th><th>+elapsed</th><th>Actor</th><th>Step</th><th>Action</th><th>Result</th></tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/** What a row folds away: the write as it ran, each SQL result as a table, the output. */
function foldedHtml(row: TimelineRow): string {
  const parts: string[] = [];
  if (typeof row.details.written === 'string') parts.push(`<details><summary>write as it ran</summary><pre>${esc(row.details.written)}</pre></details>`);
  if (typeof row.details.diff === 'string' && row.details.diff) parts.push(`<details><summary>edit</summary><pre>${esc(row.details.diff)}</pre></details>`);
  for (const result of (row.details.results as StatementResult[] | undefined) ?? []) {
    if (!result.columns.length) continue;
    const head = `<tr>${result.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
    const rows = result.rows.map((r) => `<tr>${r.map((v) => `<td>${esc(v === null ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : v)}</td>`).join('')}</tr>`).join('');
    const label = `${result.title ? `${result.title}: ` : ''}${result.command}, ${result.rowCount} ${result.rowCount === 1 ? 'row' : 'rows'}${result.truncated ? ` (first ${result.rows.length} shown)` : ''}`;
    parts.push(`<details class="result"><summary>${esc(label)}</summary><table class="sql">${head}${rows}</table></details>`);
  }
  const output = row.details.output as CellOutputText | undefined;
  if (output) {
    const note = output.sidecars?.length ? `the rest is in ${output.sidecars.join(', ')}` : output.cut ? 'cut; the rest is in the transcript' : '';
    parts.push(`<details class="output"><summary>output${note ? ` (${esc(note)})` : ''}</summary><pre>${esc(output.text)}</pre></details>`);
  }
  return parts.join('');
}

const COLOR: Record<CellSpan['status'], string> = { succeeded: '#2e7d32', failed: '#c62828', 'timed-out': '#c62828', cancelled: '#8d6e63', skipped: '#9e9e9e', unfinished: '#f9a825' };

/** The cells on the run's clock, one bar each; a bar is at least 2 px so a short cell is still seen. */
function ganttSvg(spans: CellSpan[]): string {
  const drawn = spans.filter((s) => s.status !== 'skipped');
  if (!drawn.length) return '<p>No cell ran.</p>';
  const end = Math.max(1, drawn.reduce((most, s) => Math.max(most, s.endMs), 0));
  const width = 900;
  const label = 260;
  const barHeight = 18;
  const scale = (ms: number) => label + (Math.max(0, ms) / end) * (width - label - 10);
  const bars = drawn.map((s, i) => {
    const y = 20 + i * (barHeight + 6);
    const x = scale(s.startMs);
    const w = Math.max(2, scale(s.endMs) - x);
    const how = s.status === 'unfinished' ? 'unfinished' : finishedPhrase({ status: s.status, durationMs: s.endMs - s.startMs });
    const name = `${s.cell}${s.attempt > 1 ? ` (attempt ${s.attempt})` : ''}`;
    return `<g data-cell="${esc(s.cell)}" data-status="${esc(s.status)}"><text x="0" y="${y + 13}">${esc(truncateTo(name, 38))}</text>` +
      `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${COLOR[s.status]}"><title>${esc(`${name}: ${how}`)}</title></rect></g>`;
  });
  const height = 30 + drawn.length * (barHeight + 6);
  const axis = `<text x="${label}" y="12">+0:00</text><text x="${width - 10}" y="12" text-anchor="end">${esc(offset(end))}</text>`;
  return `<svg class="gantt" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="cells on the run clock">${axis}${bars.join('')}</svg>`;
}

function checklistHtml(merged: MergedTimeline, source: ChecklistSource | undefined): string {
  const state = checklistState(merged.ticks, source ?? {});
  if (!state.entries.length && !state.note) return '';
  const rows = state.entries.map((e) => {
    const by = e.thisTimeline ? 'this timeline' : e.by ? `${e.checked ? 'ticked' : 'unticked'} by ${e.by.actor} at ${timeOfDay(e.by.at, 'second')} UTC` : '';
    return `<tr><td>${esc(e.text)}</td>${state.owners ? `<td>${esc(e.owner ?? '')}</td>` : ''}<td>${e.checked ? '☑' : '☐'}</td><td>${esc(by)}</td></tr>`;
  });
  return `<section id="checklist"><h2>Postmortem checklist</h2>${state.note ? `<p><em>${esc(state.note)}</em></p>` : ''}` +
    `<table><thead><tr><th>Item</th>${state.owners ? '<th>Owner</th>' : ''}<th>Done</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function castHtml(cast: string): string {
  return `<section id="recording"><h2>The run as it was shown</h2><div id="player"></div>` +
    `<script>${playerAsset('asciinema-player.min.js').replace(/<\/script/gi, '<\\/script')}</script>` +
    // data-player says whether the player started (a reader, or a test, can tell a page whose recording failed).
    `<script>(function(){var el=document.getElementById('player');try{AsciinemaPlayer.create({ data: ${scriptJson(cast)} }, el, { fit: 'width', idleTimeLimit: 2 });` +
    `setTimeout(function(){el.dataset.player=(el.childElementCount||(el.shadowRoot&&el.shadowRoot.childElementCount))?'shown':'empty';},300);}catch(e){el.dataset.player='error: '+e.message;}})();</script></section>`;
}

const require = createRequire(import.meta.url);
/** A file of the asciinema-player package, read when a page is made (inlined: the page loads nothing). */
function playerAsset(name: string): string {
  return readFileSync(require.resolve(`asciinema-player/dist/bundle/${name}`), 'utf8');
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#222;max-width:1400px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;max-height:30rem;white-space:pre-wrap}
pre.quote{border-left:4px solid #999;background:#fafafa}
table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:.25rem .4rem;vertical-align:top;text-align:left}
table.rows td.time,table.rows td.num{white-space:nowrap;font-variant-numeric:tabular-nums}
tr.status-failed,tr.status-timed-out,tr.kind-first-failure{background:#fdecea}
tr.kind-run\\.started,tr.kind-run\\.finished,tr.kind-detected,tr.kind-first-symptom{background:#eef3fb;font-weight:600}
ul.evidence{margin:.2rem 0 0;padding-left:1rem;font-family:ui-monospace,monospace;font-size:12px}
details summary{cursor:pointer;color:#1565c0}table.sql{font-size:12px;margin:.3rem 0}
.outcome-succeeded{color:#2e7d32}.outcome-failed,.outcome-aborted{color:#c62828}
svg.gantt text{font:12px ui-monospace,monospace}
`;
