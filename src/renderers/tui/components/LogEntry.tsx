/** A finished attempt, printed once into the scrollback by <Static>: status, output, error. */
import { Box, Text } from 'ink';
import { duration } from '../format.js';
import { errorsSuffix } from '../../errors-count.js';
import { errorLines, outputLines } from '../lines.js';
import type { FinishedCell } from '../state.js';
import { STATUS_COLOR, STATUS_MARK, tone } from '../theme.js';
import { OutputView } from './OutputView.js';

export function LogEntry({ cell, width }: { cell: FinishedCell; width: number }) {
  const took = 'durationMs' in cell ? ` in ${duration(cell.durationMs)}` : cell.status === 'skipped' && cell.reason ? `: ${cell.reason}` : '';
  const exit = `${'exitCode' in cell && cell.exitCode !== undefined ? ` (exit ${cell.exitCode})` : ''}${'errors' in cell ? errorsSuffix(cell.errors) : ''}`;
  const error = 'error' in cell && cell.error ? errorLines(cell.error) : [];
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text bold color={tone(STATUS_COLOR[cell.status])}>{`${STATUS_MARK[cell.status]} ${cell.id}`}</Text>
        <Text dimColor>{` ${cell.status}${took}${exit}${cell.attempt > 1 ? ` · attempt ${cell.attempt}` : ''}`}</Text>
      </Text>
      <OutputView lines={[...outputLines(cell.output, width), ...error]} wrap />
    </Box>
  );
}
