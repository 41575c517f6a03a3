/** A finished attempt, printed once into the scrollback by <Static>: status, output, error. */
import { Box, Text } from 'ink';
import { outputLines } from '../lines.js';
import type { FinishedCell } from '../state.js';
import { STATUS_COLOR, tone } from '../theme.js';
import { STATUS_GLYPH, finishedPhrase } from '../../text/status.js';
import { finishedErrorLines } from '../../text/cell-error.js';
import { OutputView } from './OutputView.js';

export function LogEntry({ cell, width }: { cell: FinishedCell; width: number }) {
  const error = finishedErrorLines(cell);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text bold color={tone(STATUS_COLOR[cell.status])}>{`${STATUS_GLYPH[cell.status]} ${cell.id}`}</Text>
        <Text dimColor>{` ${finishedPhrase(cell)}${cell.attempt > 1 ? ` · attempt ${cell.attempt}` : ''}`}</Text>
      </Text>
      <OutputView lines={[...outputLines(cell.output, width), ...error]} wrap />
    </Box>
  );
}
