/**
 * The selected cell: compact prose, highlighted source with placeholders marked (or the
 * values bound to them, secrets masked), and what it did — the live tail while it runs,
 * the status and error once it finished (and its output, until the console moves past
 * it and the scrollback holds it). `v` shows the whole source instead, scrollable.
 */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { MASK } from '../../../engine/redact.js';
import { duration, fitLines } from '../format.js';
import { highlightSource } from '../highlight.js';
import { errorLines, outputLines, type ScreenLine } from '../lines.js';
import type { CellView, ConsoleState } from '../state.js';
import { STATUS_COLOR, STATUS_MARK, tone } from '../theme.js';
import { OutputView } from './OutputView.js';

export function CellPane({ state, cell, height, width }: { state: ConsoleState; cell: CellView; height: number; width: number }) {
  const ask = state.ask?.kind === 'decide' && state.ask.cell === cell.id ? state.ask : undefined;
  const running = cell.status === 'running';
  const source = shownSource(cell, shownValues(state));
  const title = (
    <Text wrap="truncate-end" bold>
      <Text color={tone(STATUS_COLOR[cell.status])}>{`${STATUS_MARK[cell.status]} `}</Text>
      {`${cell.id}`}
      <Text dimColor>{` · ${cell.lang} · line ${cell.line} · ${cell.status}${cell.attempt > 1 ? ` · attempt ${cell.attempt}` : ''}`}</Text>
      {ask?.effect === 'write' ? <Text color={tone('red')}>{' · WRITES'}</Text> : null}
    </Text>
  );
  if (state.sourceView) {
    // The whole view wraps long lines rather than cut them: colour gives way, every character stays.
    // eslint-disable-next-line no-control-regex -- the inverse marks are escapes; cut rows must not split one
    const plain = highlightSource(cell.source, cell.lang, { values: shownValues(state), color: false }).replace(/\u001b\[2?7m/g, '').split('\n');
    const rows = plain.flatMap((line) => hardWrap(line, Math.max(10, width - 4)));
    return <SourceView state={state} cell={cell} source={rows} title={title} height={height} width={width} />;
  }

  let room = height - 1;
  const prose = running ? [] : fitLines(cell.prose, width, height >= 20 ? 2 : 1);
  room -= prose.length;
  const valueLine = running ? undefined : valuesLine(state, cell);
  if (valueLine) room -= 1;
  const missingLine = ask?.missing?.length ? `missing: ${ask.missing.join(', ')} (not found on PATH): enter runs anyway, e edits, s skips` : undefined;
  if (missingLine) room -= 1;
  // Output of a finished cell shows here until the scrollback holds it (after the console moves on).
  const unprinted = state.unsettled === cell.id;
  const after = running ? outputLines(cell.output, width) : [...(unprinted ? outputLines(cell.output, width) : []), ...finishedSummary(cell)];
  const outputRows = running ? Math.max(1, room - 3) : Math.min(after.length, Math.max(1, room - 3));
  const sourceRows = Math.max(1, Math.min(source.length, room - outputRows));
  const cut = source.length > sourceRows;
  const shown = cut ? [...source.slice(0, sourceRows - 1), dimmed(`… ${source.length - sourceRows + 1} more lines · v shows the whole source`)] : source;
  room -= shown.length;
  const lines = running || unprinted ? after.slice(-Math.max(1, room)) : after.slice(0, Math.max(1, room));
  return (
    <Box flexDirection="column" width={width}>
      {title}
      {prose.map((line, i) => (
        <Text key={`p${i}`} dimColor wrap="truncate-end">
          {line}
        </Text>
      ))}
      {shown.map((line, i) => (
        <Text key={`s${i}`} wrap="truncate-end">
          {`  ${line || ' '}`}
        </Text>
      ))}
      {valueLine ? <Text wrap="truncate-end" color={tone('yellow')}>{valueLine}</Text> : null}
      {missingLine ? <Text wrap="truncate-end" color={tone('yellow')}>{missingLine}</Text> : null}
      <OutputView lines={lines} />
    </Box>
  );
}

/** `v`: every line of the source from the scroll position, then the values bound in it. */
function SourceView({ state, cell, source, title, height, width }: { state: ConsoleState; cell: CellView; source: string[]; title: ReactNode; height: number; width: number }) {
  const listed = boundList(state, cell);
  const rows = Math.max(1, height - 2 - listed.length);
  const top = Math.min(state.sourceView?.scroll ?? 0, Math.max(0, source.length - rows));
  const visible = source.slice(top, top + rows);
  const where = source.length > rows ? `lines ${top + 1}–${top + visible.length} of ${source.length} · ↑↓ scroll · ` : '';
  return (
    <Box flexDirection="column" width={width}>
      {title}
      <Text dimColor wrap="truncate-end">{`whole source · ${where}v or esc closes`}</Text>
      {visible.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {`  ${line || ' '}`}
        </Text>
      ))}
      {listed.map((line, i) => (
        <Text key={`v${i}`} wrap="truncate-end" color={tone('yellow')}>
          {line}
        </Text>
      ))}
    </Box>
  );
}

/**
 * The source as shown: a console session as its author wrote it (prompts, commands, and
 * the expected output dimmed: documentation, never run), unless it was edited; else the source.
 */
function shownSource(cell: CellView, values: Record<string, string>): string[] {
  const session = cell.session;
  if (!session || cell.source !== session.source) return highlightSource(cell.source, cell.lang, { values }).split('\n');
  return session.lines.map((line) => (line.kind === 'output' ? dimmed(line.text) : highlightSource(line.text, cell.lang, { values })));
}

/** Values to show in place of placeholders: the bound ones, a secret's as the mask. */
function shownValues(state: ConsoleState): Record<string, string> {
  return Object.fromEntries(Object.values(state.values).map((v) => [v.name, v.secret || v.value === undefined ? MASK : v.value]));
}

function boundList(state: ConsoleState, cell: CellView): string[] {
  return cell.placeholders.map((name) => {
    const bound = state.values[name];
    if (!bound) return `<${name}> has no value yet`;
    return `<${name}> = ${bound.secret || bound.value === undefined ? `${MASK} (secret)` : bound.value} (from ${bound.source})`;
  });
}

/** One line under the source: the values it uses, and the ones it still needs. */
function valuesLine(state: ConsoleState, cell: CellView): string | undefined {
  if (!cell.placeholders.length) return undefined;
  const missing = cell.placeholders.filter((name) => !state.values[name]);
  const bound = cell.placeholders.filter((name) => state.values[name]);
  const parts = [...(bound.length ? [`values: ${bound.map((n) => `<${n}>`).join(' ')} filled in (v lists them)`] : []), ...(missing.length ? [`needs: ${missing.map((n) => `<${n}>`).join(' ')}`] : [])];
  return parts.join(' · ');
}

/** One status line, then the error as psql would show it. */
function finishedSummary(cell: CellView): ScreenLine[] {
  switch (cell.status) {
    case 'pending':
    case 'running':
      return [];
    case 'skipped':
      return [{ text: `skipped${cell.reason ? `: ${cell.reason}` : ''}`, tone: 'meta' }];
    case 'succeeded':
      return [{ text: `succeeded in ${duration(cell.durationMs)}${cell.exitCode !== undefined ? ` (exit ${cell.exitCode})` : ''}`, tone: 'meta' }];
    case 'failed':
      return [
        { text: `failed after ${duration(cell.durationMs)}${cell.exitCode !== undefined ? ` (exit ${cell.exitCode})` : ''}`, tone: 'meta' },
        ...(cell.error ? errorLines(cell.error) : []),
      ];
    case 'cancelled':
    case 'timed-out':
      return [{ text: `${cell.status} after ${duration(cell.durationMs)}`, tone: 'meta' }, ...(cell.error ? errorLines(cell.error) : [])];
  }
}

/** A source line cut into rows of `width` characters; continuation rows start with ↪. */
function hardWrap(line: string, width: number): string[] {
  const chars = [...line];
  if (chars.length <= width) return [line];
  const rows = [chars.slice(0, width).join('')];
  for (let i = width; i < chars.length; i += width - 2) rows.push(`↪ ${chars.slice(i, i + width - 2).join('')}`);
  return rows;
}

function dimmed(text: string): string {
  return `\u001b[2m${text}\u001b[22m`;
}
