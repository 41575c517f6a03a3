/**
 * Rows, the printed table and docs/performance.md. A row either carries measured numbers
 * or says FAILED with the reason; it never carries a number that was not measured.
 */
import { cpus, loadavg, totalmem, release } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { median } from './measure.js';

export const formatMs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
export const formatMb = (kb) => `${(kb / 1024).toFixed(0)} MB`;

/**
 * A row comparing the engine's median time with a baseline's, with an optional ratio target.
 * `engine` and `baseline` are entries from compare(); a failed engine makes the row FAILED.
 */
export function ratioRow({ workload, engine, baselineLabel, baseline, maxRatio, note, cpuUncounted = false }) {
  const row = { workload, baselineLabel, target: maxRatio ? `≤ ${maxRatio}×` : '—', note };
  if (baseline.failed) return { ...row, engine: '—', baseline: `FAILED`, ratio: '—', cpu: '—', result: 'FAILED', reason: baseline.failed };
  row.baseline = `${formatMs(median(baseline.ms))} (n=${baseline.ms.length})`;
  if (engine.failed) return { ...row, engine: 'FAILED', ratio: '—', cpu: '—', result: 'FAILED', reason: engine.failed };
  const ratio = median(engine.ms) / median(baseline.ms);
  return {
    ...row,
    cpu: cpuUncounted ? '—' : cpuRatio(engine, baseline),
    engine: `${formatMs(median(engine.ms))} (n=${engine.ms.length})`,
    ratio: `${ratio.toFixed(2)}×`,
    result: maxRatio ? (ratio <= maxRatio ? 'pass' : 'miss') : 'info',
  };
}

/**
 * A row with an absolute target: `max` (a time, a peak RSS) or `exact` (a count).
 * The baseline is shown for scale; `ratio` is given when one means something.
 */
export function absoluteRow({ workload, value, failed, format, max, exact, ratio, cpu = '—', rounds, baselineLabel = '—', baseline = '—', note }) {
  const target = exact !== undefined ? `= ${format(exact)}` : max !== undefined ? `≤ ${format(max)}` : '—';
  const row = { workload, baselineLabel, baseline, ratio: ratio === undefined ? '—' : `${ratio.toFixed(2)}×`, cpu, target, note };
  if (failed) return { ...row, engine: 'FAILED', ratio: '—', cpu: '—', result: 'FAILED', reason: failed };
  const passes = exact !== undefined ? value === exact : max !== undefined ? value <= max : undefined;
  return { ...row, engine: rounds === undefined ? format(value) : `${format(value)} (n=${rounds})`, result: passes === undefined ? 'info' : passes ? 'pass' : 'miss' };
}

/**
 * A time against a cap (`max` ms), the engine's median with its ratio and CPU ratio to a
 * baseline run alongside for scale (a peer or a floor); a failed baseline shows FAILED.
 */
export function cappedTimeRow({ workload, engine, baselineLabel, baseline, max, note }) {
  const both = !engine.failed && !baseline.failed;
  return absoluteRow({
    workload,
    value: engine.failed ? 0 : median(engine.ms),
    failed: engine.failed,
    format: formatMs,
    max,
    rounds: engine.ms.length,
    ratio: both ? median(engine.ms) / median(baseline.ms) : undefined,
    cpu: both ? cpuRatio(engine, baseline) : '—',
    baselineLabel,
    baseline: baseline.failed ? 'FAILED' : `${formatMs(median(baseline.ms))} (n=${baseline.ms.length})`,
    note,
  });
}

/** The engine's peak RSS (its largest round) against a cap (`max` kB), the baseline's median beside it. */
export function peakRssRow({ workload, engine, baselineLabel, baseline, max }) {
  return absoluteRow({
    workload,
    value: engine.rssKb.length ? Math.max(...engine.rssKb) : 0,
    failed: engine.failed ?? (engine.rssKb.length ? undefined : 'peak RSS not measured'),
    format: formatMb,
    max,
    baselineLabel,
    baseline: baseline.rssKb.length ? formatMb(median(baseline.rssKb)) : '—',
  });
}

/** Engine CPU time (user + sys) over the baseline's, medians; '—' where not measured. */
export function cpuRatio(engine, baseline) {
  if (!engine.cpuMs?.length || !baseline.cpuMs?.length) return '—';
  const base = median(baseline.cpuMs);
  return base > 0 ? `${(median(engine.cpuMs) / base).toFixed(2)}×` : '—';
}

/** A row for a workload that could not run at all (a missing command, a setup error). */
export function failedRow(workload, reason) {
  return { workload, engine: 'FAILED', baselineLabel: '—', baseline: '—', ratio: '—', cpu: '—', target: '—', result: 'FAILED', reason };
}

const COLUMNS = [
  ['workload', 'Workload'],
  ['engine', 'Engine (median)'],
  ['baselineLabel', 'Baseline'],
  ['baseline', 'Baseline (median)'],
  ['ratio', 'Ratio'],
  ['cpu', 'CPU ratio'],
  ['target', 'Target'],
  ['result', 'Result'],
];

/** The table for a terminal: aligned columns, then FAILED reasons and notes underneath. */
export function textTable(rows) {
  const cells = [COLUMNS.map(([, title]) => title), ...rows.map((row) => COLUMNS.map(([key]) => String(row[key] ?? '')))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => [...line[i]].length)));
  const pad = (text, i) => text + ' '.repeat(widths[i] - [...text].length);
  const lines = cells.map((line) => line.map(pad).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '─'.repeat(w)).join('  '));
  return [lines.join('\n'), footnotes(rows, (text) => text)].filter(Boolean).join('\n\n');
}

export function markdownTable(rows) {
  const escape = (text) => String(text ?? '').replaceAll('|', '\\|');
  const header = `| ${COLUMNS.map(([, title]) => title).join(' | ')} |`;
  const rule = `|${COLUMNS.map(() => '---').join('|')}|`;
  const body = rows.map((row) => `| ${COLUMNS.map(([key]) => escape(row[key])).join(' | ')} |`);
  return [[header, rule, ...body].join('\n'), footnotes(rows, (text) => `- ${text}`)].filter(Boolean).join('\n\n');
}

/** FAILED reasons and notes under the table; rows that share an engine run share one line. */
function footnotes(rows, bullet) {
  const seen = new Set();
  const once = (text) => (seen.has(text) ? undefined : (seen.add(text), text));
  return rows
    .flatMap((row) => [row.reason && once(`FAILED: ${row.reason}`) && `${row.workload} FAILED: ${row.reason}`, row.note && once(row.note) && `${row.workload}: ${row.note}`])
    .filter(Boolean)
    .map(bullet)
    .join('\n');
}

export function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    os: `${process.platform} ${release()}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    load: loadavg().map((x) => x.toFixed(2)).join(' '),
  };
}

const BEGIN = '<!-- bench:begin (written by `npm run bench`; edit outside these markers) -->';
const END = '<!-- bench:end -->';

/**
 * Replaces the generated part of docs/performance.md, keeping the prose around it,
 * so the explanation of misses survives a re-run.
 */
export function writeDoc(path, rows, info, extra) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = `# Performance\n\n${BEGIN}\n${END}\n`;
  }
  if (!text.includes(BEGIN) || !text.includes(END)) text = `${text.trimEnd()}\n\n${BEGIN}\n${END}\n`;
  const generated = [
    BEGIN,
    `Latest run: ${info.date} — ${info.cpu}, ${info.cores} cores, ${info.memory} RAM, Node ${info.node}, ${info.os}; ` +
      `load average (1/5/15 min) ${info.loadAtStart} at the start, ${info.load} at the end (the bench itself keeps about one core busy).`,
    `Each row: median of n rounds, after one warm-up round except for the 5k/10k/20k parse rows and the remark peer (their input was just written); ` +
      `engine and baseline alternate within the same invocation.`,
    '',
    markdownTable(rows),
    '',
    ...extra,
    END,
  ].join('\n');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END) + END.length;
  writeFileSync(path, text.slice(0, start) + generated + text.slice(end));
}
