/** `?`: the key table, printed from the same table the keys are read with. */
import { Box, Text } from 'ink';
import { KEY_TABLE, keyLabel } from '../keys.js';

export function Help({ width }: { width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>Keys (? or esc closes)</Text>
      {KEY_TABLE.map((binding) => (
        <Text key={binding.command} wrap="truncate-end">
          <Text bold>{binding.keys.map(keyLabel).join(' / ').padEnd(11)}</Text>
          <Text dimColor>{` ${binding.command.padEnd(15)}`}</Text>
          {` ${binding.help}`}
        </Text>
      ))}
    </Box>
  );
}
