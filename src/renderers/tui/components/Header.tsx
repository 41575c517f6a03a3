/** Title, a loud target badge, actor, elapsed; the section budget and the escalation line. */
import { Box, Text } from 'ink';
import { clock } from '../format.js';
import { budgetFor, sectionKey, type ConsoleState } from '../state.js';
import { tone } from '../theme.js';

export function TargetBadge({ target }: { target: ConsoleState['target'] }) {
  if (target?.kind === 'sandbox') {
    return (
      <Text bold inverse color={tone('green')}>
        {' SANDBOX '}
      </Text>
    );
  }
  // Anything that is not the sandbox is treated as production.
  return (
    <Text bold inverse color={tone('red')}>
      {' PRODUCTION '}
    </Text>
  );
}

export function Header({ state, width }: { state: ConsoleState; width: number }) {
  const elapsed = state.startedAt === undefined ? '0:00' : clock(state.now - state.startedAt);
  const targetName = state.target ? (state.target.kind === 'none' ? 'no database' : state.target.name) : '';
  const right = ` ${targetName} · ${state.actor || '?'} · ${elapsed}`;
  return (
    <Box flexDirection="column" width={width}>
      <Box>
        <Box flexShrink={0}>
          <TargetBadge target={state.target} />
        </Box>
        <Box flexGrow={1} marginLeft={1}>
          <Text bold wrap="truncate-end">
            {state.title}
          </Text>
        </Box>
        <Box flexShrink={0}>
          <Text wrap="truncate-start">{right}</Text>
        </Box>
      </Box>
      <Box>
        <Box flexShrink={0}>
          <Budget state={state} />
        </Box>
        <Box flexGrow={1} marginLeft={1}>
          <Text wrap="truncate-end" color={tone('yellow')}>
            {state.escalation ? `⚑ ${state.escalation}` : ' '}
          </Text>
        </Box>
      </Box>
    </Box>
  );
}

function Budget({ state }: { state: ConsoleState }) {
  const id = state.focus ?? state.order[state.cursor];
  const cell = id === undefined ? undefined : state.cells[id];
  const budget = cell ? budgetFor(state, cell.section) : undefined;
  if (!budget) return null;
  const since = state.sectionStartedAt[sectionKey(budget.section)];
  const spent = since === undefined ? 0 : state.now - since;
  const title = budget.section[budget.section.length - 1] ?? '';
  const short = title.replace(/\s*\(.*\)\s*$/, '');
  if (spent > budget.budgetMs) {
    return (
      <Text bold inverse color={tone('yellow')}>
        {` ⚠ ${short}: ${clock(spent)} / ${clock(budget.budgetMs)} OVER BUDGET `}
      </Text>
    );
  }
  return <Text>{`⏱ ${short}: ${clock(spent)} / ${clock(budget.budgetMs)}`}</Text>;
}
