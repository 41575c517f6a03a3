/** The runbook's postmortem checklist, ticked with space or x at the end of the run. */
import { Box, Text } from 'ink';
import type { ConsoleState } from '../state.js';
import { tone } from '../theme.js';

export function Checklist({ state, height, width }: { state: ConsoleState; height: number; width: number }) {
  const rows = Math.max(1, height - 1);
  const start = Math.max(0, Math.min(state.checklistCursor - Math.floor(rows / 2), state.checklist.length - rows));
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>Postmortem checklist</Text>
      {state.checklist.slice(start, start + rows).map((item, i) => {
        const selected = start + i === state.checklistCursor && state.onChecklist === true;
        return (
          <Text key={item.line} wrap="truncate-end" inverse={selected}>
            {selected ? '›' : ' '}
            <Text color={item.checked ? tone('green') : undefined}>{item.checked ? ' [x] ' : ' [ ] '}</Text>
            {item.text}
          </Text>
        );
      })}
    </Box>
  );
}
