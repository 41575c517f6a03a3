/**
 * The plain-text renderer: every non-TTY run, and replay. Readable progress in the
 * order events happen — a header, a `▶` line per cell, its output, psql-like tables,
 * errors with SQLSTATE, a `✓`/`✗`/`↷` line (text/status.ts), decisions and notes, a final summary.
 * Output depends only on the events, so replaying a transcript prints what the run printed.
 */
import { rehearsalLines } from './rehearsal.js';
import { targetChangedText } from './target-changed.js';
import { noticeLine } from './notice.js';
import type { OutputStream, RunEvent, RunStarted, UnknownEvent } from '../engine/events.js';
import {
  decisionLine, finishedLines, headerLines, indentBlock, noteLines, preflightLines, resumedLines, sectionLabel,
  sqlResultLines, summaryLines, variableLine,
} from './plain/blocks.js';
import { createStyle } from './plain/style.js';
import { visibleEvent } from './text/visible.js';

export interface PlainRendererOptions {
  /** ANSI colours; default off. */
  color?: boolean;
  /** Screen width, to cut wide table columns; default: columns up to 60 characters. */
  width?: number;
  /** Printed in the header when known. */
  transcriptPath?: string;
  /** Print each cell's source under its ▶ line; default only in dry runs. */
  showSource?: boolean;
  /**
   * A live run whose command says a preflight refusal on stderr, in one line: the header
   * is held until preflight passes, and a refused run prints nothing here (not the header
   * and the reason again). Replays and exports show the whole record.
   */
  refusalOnStderr?: boolean;
}

const STREAM_PREFIX: Record<OutputStream, string> = { stdout: '  ', stderr: '  ! ', notice: '  ' };

export function createPlainRenderer(
  write: (text: string) => void,
  opts: PlainRendererOptions = {},
): (event: RunEvent | UnknownEvent) => void {
  const style = createStyle(opts.color === true);
  let title: string | undefined;
  let showSource = opts.showSource === true;
  /** The stream whose last line has no newline yet, so the next line knows to end it first. */
  let openStream: OutputStream | undefined;
  const started = new Set<string>();
  /** Background cells (Runme's): their output interleaves with other cells', so each line names its cell. */
  const background = new Set<string>();

  /** The last line written was empty: a block that starts with a blank line does not add a second. */
  let blank = true;
  const lines = (out: string[]) => {
    if (!out.length) return;
    endOpenLine();
    const from = blank ? out.findIndex((line) => line !== '') : 0;
    if (from < 0) return;
    const shown = out.slice(from);
    write(shown.map((line) => `${line}\n`).join(''));
    blank = shown.at(-1) === '';
  };
  const endOpenLine = () => {
    if (openStream) write('\n');
    openStream = undefined;
  };
  const output = (stream: OutputStream, data: string) => {
    if (stream === 'notice') return lines(indentBlock(data.replace(/\r\n/g, '\n').split('\n').map(noticeLine).join('\n'), STREAM_PREFIX.notice).map((l) => style.cyan(l)));
    if (openStream && openStream !== stream) endOpenLine();
    const parts = data.replace(/\r\n/g, '\n').split('\n');
    let text = '';
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      if (last && part === '') return;
      if (!openStream) text += STREAM_PREFIX[stream];
      text += stream === 'stderr' ? style.red(part) : part;
      if (last) openStream = stream;
      else {
        text += '\n';
        openStream = undefined;
      }
    });
    if (text) {
      write(text);
      blank = false;
    }
  };
  const maxColumnWidth = (columns: number) =>
    opts.width ? Math.max(12, Math.floor((opts.width - 2) / Math.max(1, columns)) - 3) : 60;

  const render = (raw: RunEvent | UnknownEvent): void => {
    // Control characters in values and output are shown, never sent to the terminal raw.
    const event = visibleEvent(raw);
    const known = event as RunEvent;
    switch (known.type) {
      case 'run.started':
        title = known.runbook.title;
        if (known.mode === 'dry-run') showSource = true;
        return lines(headerLines(known as RunStarted, style, opts.transcriptPath));
      case 'run.resumed':
        return lines(resumedLines(known));
      case 'run.preflight':
        return lines(preflightLines(known, style));
      case 'variable.bound':
        return lines([variableLine(known)]);
      case 'cell.started': {
        started.add(known.cell);
        const section = sectionLabel(known.section, title);
        const attempt = known.attempt > 1 ? ` (attempt ${known.attempt})` : '';
        if (known.background) background.add(known.cell);
        const head = style.bold(`▶ [${known.cell}] ${known.lang} line ${known.line}${section ? ` — ${section}` : ''}${attempt}${known.background ? ' · background: the run goes on' : ''}`);
        return lines(showSource ? [head, ...indentBlock(known.source, style.dim('  │ '))] : [head]);
      }
      case 'cell.output':
        if (background.has(known.cell) && known.stream !== 'notice') {
          const mark = known.stream === 'stderr' ? '! ' : '';
          return lines(known.data.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n').map((line) => `  ${style.dim(`[${known.cell}]`)} ${mark}${line}`));
        }
        return output(known.stream, known.data);
      case 'cell.output.spilled':
        return lines([style.dim(`  … more ${known.stream} in ${known.path}`)]);
      case 'cell.output.closed':
        // The spilled line said where; the figures are for verify.
        return lines([]);
      case 'sql.result':
        return lines(sqlResultLines(known, style, maxColumnWidth(known.columns.length)));
      case 'sql.transaction':
        // For resume and the record; the operator has nothing to do with it.
        return lines([]);
      case 'sql.rehearsal':
        return lines(rehearsalLines(known).map((line) => style.cyan(`  ${line}`)));
      case 'cell.finished': {
        // A background cell ends among other cells' lines: its end names it.
        const named = !started.has(known.cell) || background.delete(known.cell);
        return lines(finishedLines(known, style, !named));
      }
      case 'target.changed':
        return lines([style.yellow(targetChangedText(known))]);
      case 'operator.decision': {
        const line = decisionLine(known);
        return lines(line ? [line] : []);
      }
      case 'operator.note':
        return lines(noteLines(known));
      case 'checklist.ticked':
        return lines([`${known.checked ? '☑' : '☐'} ${known.actor} ${known.checked ? 'ticked' : 'unticked'}: ${known.item}`]);
      case 'run.finished':
        return lines(summaryLines(known, style));
      default:
        return lines([style.dim(`? unknown event ${String(event.type)}`)]);
    }
  };
  if (!opts.refusalOnStderr) return render;

  let held: (RunEvent | UnknownEvent)[] | undefined;
  let refused = false;
  return (event) => {
    if (event.type === 'run.started') {
      held = [event];
      return;
    }
    if (held && event.type === 'run.preflight') {
      const queue = held;
      held = undefined;
      const mode = (queue[0] as RunStarted).mode;
      refused = mode !== 'dry-run' && (event as Extract<RunEvent, { type: 'run.preflight' }>).problems.some((p) => p.fatal);
      if (refused) return;
      for (const earlier of queue) render(earlier);
      return render(event);
    }
    if (held && event.type !== 'run.finished' && event.type !== 'cell.started') {
      held.push(event);
      return;
    }
    if (held) {
      const queue = held;
      held = undefined;
      for (const earlier of queue) render(earlier);
    }
    if (refused && event.type === 'run.finished') return;
    render(event);
  };
}
