/** The bottom line: an open prompt, a short message, or the keys that make sense right now. */
import { Text } from 'ink';
import { duration } from '../format.js';
import { inChecklistPhase, type ConsoleState } from '../state.js';
import { tone } from '../theme.js';

export function Footer({ state, replay, width = 80 }: { state: ConsoleState; replay?: boolean; width?: number }) {
  const prompt = state.prompt;
  if (prompt) {
    const typed = [...(prompt.masked ? '•'.repeat([...prompt.text].length) : prompt.text)];
    // The label gives way first (its start stays readable), then the start of a long answer.
    const room = Math.max(10, width - 2);
    const shown = typed.length > room - 10 ? `…${typed.slice(typed.length - (room - 11)).join('')}` : typed.join('');
    const labelRoom = room - [...shown].length - 1;
    const label = [...prompt.label].length > labelRoom ? `${[...prompt.label].slice(0, Math.max(0, labelRoom - 1)).join('')}…` : prompt.label;
    return (
      <Text wrap="truncate-end">
        <Text bold color={tone('cyan')}>{`${label} `}</Text>
        {shown}
        <Text inverse> </Text>
      </Text>
    );
  }
  if (state.flash) return <Text wrap="truncate-end" color={tone('yellow')}>{state.flash}</Text>;
  return (
    <Text wrap="truncate-end" dimColor>
      {hints(state, replay)}
    </Text>
  );
}

function hints(state: ConsoleState, replay?: boolean): string {
  if (state.run.status !== 'running') return `run ${state.run.status} in ${duration(state.run.durationMs)}`;
  if (replay) return 'replay · q quit · ? help';
  if (inChecklistPhase(state)) return 'space/x tick · ↑↓ move · enter finish the run · n note · q quit';
  const ask = state.ask;
  if (ask?.kind === 'decide' && ask.phase === 'after') return 'r retry · e edit · enter next · ↑↓ select · g jump · n note · q quit · ? help';
  if (ask?.kind === 'decide') return 'enter run · s skip · e edit · ↑↓ select · g jump · n note · q quit · ? help';
  const focus = state.focus === undefined ? undefined : state.cells[state.focus];
  if (focus?.status === 'running') return 'running · c cancel · n note · ↑↓ select · q quit · ? help';
  return 'q quit · ? help';
}
