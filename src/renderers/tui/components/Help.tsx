/** `?`: the key table, printed from the same table the keys are read with; long lines wrap. */
import { Box, Text } from 'ink';
import { KEY_TABLE, keyLabel } from '../keys.js';
import { wrapText } from '../wrap.js';

const KEY_COLUMN = 12;
const COMMAND_COLUMN = 16;

/** The help's lines at this width: the command names only where there is room for them. */
export function helpLines(width: number): { keys: string; command: string; help: string }[] {
  const withCommand = width >= 110;
  const indent = ' '.repeat(KEY_COLUMN + (withCommand ? COMMAND_COLUMN : 0));
  return KEY_TABLE.flatMap((binding) => {
    const keys = binding.keys.map(keyLabel).join(' / ').padEnd(KEY_COLUMN);
    const command = withCommand ? binding.command.padEnd(COMMAND_COLUMN) : '';
    const wrapped = wrapText(binding.help, Math.max(10, width - indent.length));
    return wrapped.map((help, i) => (i === 0 ? { keys, command, help } : { keys: indent, command: '', help }));
  });
}

export function Help({ width }: { width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>Keys (? or esc closes)</Text>
      {helpLines(width).map((line, i) => (
        <Text key={i} wrap="truncate-end">
          <Text bold>{line.keys}</Text>
          <Text dimColor>{line.command}</Text>
          {line.help}
        </Text>
      ))}
    </Box>
  );
}
