/**
 * The selected cell: compact prose, highlighted source with placeholders marked, and
 * what it did — the live tail while it runs, the status and error once it finished
 * (its full output is already printed above, in the finished log).
 */
import { Box, Text } from 'ink';
import { duration, fitLines } from '../format.js';
import { highlightSource } from '../highlight.js';
import { errorLines, outputLines, type ScreenLine } from '../lines.js';
import type { CellView, ConsoleState } from '../state.js';
import { STATUS_COLOR, STATUS_MARK, tone } from '../theme.js';
import { OutputView } from './OutputView.js';

export function CellPane({ state, cell, height, width }: { state: ConsoleState; cell: CellView; height: number; width: number }) {
  const ask = state.ask?.kind === 'decide' && state.ask.cell === cell.id ? state.ask : undefined;
  const running = cell.status === 'running';
  // The pane stays short so the finished log above it stays in view.
  let room = height - 1;
  const prose = running ? [] : fitLines(cell.prose, width, height >= 20 ? 2 : 1);
  room -= prose.length;
  const placeholderRow = cell.placeholders.length && !running ? 1 : 0;
  room -= placeholderRow;
  const source = highlightSource(cell.source, cell.lang).split('\n');
  const sourceRows = Math.max(1, Math.min(source.length, running ? 3 : Math.max(3, Math.floor(height / 2)), room - 1));
  const shown = source.length > sourceRows ? [...source.slice(0, sourceRows - 1), dimmed(`… ${source.length - sourceRows + 1} more lines`)] : source;
  room -= shown.length;
  const all = running ? outputLines(cell.output) : finishedSummary(cell);
  const lines = running ? all.slice(-Math.max(1, room)) : all.slice(0, Math.max(1, room));
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end" bold>
        <Text color={tone(STATUS_COLOR[cell.status])}>{`${STATUS_MARK[cell.status]} `}</Text>
        {`${cell.id}`}
        <Text dimColor>{` · ${cell.lang} · line ${cell.line} · ${cell.status}${cell.attempt > 1 ? ` · attempt ${cell.attempt}` : ''}`}</Text>
        {ask?.effect === 'write' ? <Text color={tone('red')}>{' · WRITES'}</Text> : null}
      </Text>
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
      {placeholderRow ? <Text wrap="truncate-end" color={tone('yellow')}>{`needs: ${cell.placeholders.map((p) => `<${p.replace(/^<|>$/g, '')}>`).join(' ')}`}</Text> : null}
      <OutputView lines={lines} />
    </Box>
  );
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

function dimmed(text: string): string {
  return `\u001b[2m${text}\u001b[22m`;
}
