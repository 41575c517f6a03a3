/**
 * Title, a loud target badge, actor, elapsed; the section budget and the escalation
 * line, wrapped (it is what the engineer must not miss); an empty sandbox said so, and a
 * database that does not answer, for as long as it does not.
 */
import { Box, Text } from 'ink';
import { clock, utcStamp, timeOfDay } from '../../text/time.js';
import { budgetFor, sectionKey, type ConsoleState } from '../state.js';
import { tone } from '../theme.js';
import { wrapText } from '../wrap.js';
import { displayWidth } from '../../text/width.js';

export function TargetBadge({ target }: { target: ConsoleState['target'] }) {
  // No database: nothing to protect, nothing to alarm about (plain output says [NO DATABASE] too).
  if (target?.kind === 'none') {
    return (
      <Text bold inverse>
        {' NO DATABASE '}
      </Text>
    );
  }
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

/** The header's lines below the title: what the layout has to leave room for. */
export function headerLayout(state: ConsoleState, width: number): { budget?: Budget; escalation: string[]; unseeded?: string; down?: string } {
  const budget = budgetOf(state);
  const room = Math.max(10, width - (budget ? displayWidth(budget.text) + 1 : 0));
  const escalation = state.escalation ? wrapText(`⚑ ${state.escalation}`, room, '  ') : [];
  const down = state.databaseDown === undefined ? undefined : `⚠ database unreachable: ${state.databaseDown} — SQL cells fail until it answers; the others run`;
  return { budget, escalation, unseeded: unseededNotice(state), down };
}

export function headerRows(state: ConsoleState, width: number): number {
  const { budget, escalation, unseeded, down } = headerLayout(state, width);
  const notices = [unseeded, down].reduce((rows, text) => rows + (text ? wrapText(text, width).length : 0), 0);
  return 1 + Math.max(budget ? 1 : 0, escalation.length) + notices;
}

/** On replay, before anything else: this is a recording, and when it was made. */
export function replayBadge(state: ConsoleState): string {
  const at = state.startedAt === undefined ? '' : ` ${utcStamp(state.startedAt, 'minute')}`;
  return ` REPLAY${at} `;
}

export function Header({ state, width, replay }: { state: ConsoleState; width: number; replay?: boolean }) {
  const elapsed = state.startedAt === undefined ? '0:00' : clock(state.now - state.startedAt);
  const targetName = state.target ? (state.target.kind === 'none' ? 'no database' : state.target.name) : '';
  const resumedAt = state.resumedAt === undefined ? '' : ` · resumed at ${timeOfDay(state.resumedAt, 'minute')} UTC`;
  const right = ` ${targetName} · ${state.actor || '?'} · ${elapsed}${resumedAt}${state.logStatus ? ` · ${state.logStatus}` : ''}`;
  const { budget, escalation, unseeded, down } = headerLayout(state, width);
  return (
    <Box flexDirection="column" width={width}>
      <Box>
        {replay ? (
          <Box flexShrink={0} marginRight={1}>
            <Text bold inverse color={tone('magenta')}>
              {replayBadge(state)}
            </Text>
          </Box>
        ) : null}
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
      {unseeded
        ? wrapText(unseeded, width).map((line, i) => (
            <Text key={`u${i}`} bold color={tone('yellow')}>
              {line}
            </Text>
          ))
        : null}
      {down
        ? wrapText(down, width).map((line, i) => (
            <Text key={`d${i}`} bold color={tone('red')}>
              {line}
            </Text>
          ))
        : null}
      {budget || escalation.length ? (
        <Box>
          {budget ? (
            <Box flexShrink={0} marginRight={1}>
              <Text bold={budget.over} inverse={budget.over} color={budget.over ? tone('yellow') : undefined}>
                {budget.text}
              </Text>
            </Box>
          ) : null}
          <Box flexDirection="column" flexGrow={1}>
            {escalation.map((line, i) => (
              <Text key={i} wrap="truncate-end" color={tone('yellow')}>
                {line}
              </Text>
            ))}
          </Box>
        </Box>
      ) : null}
    </Box>
  );
}

/** A sandbox with no seed file: its database is empty, and a SQL cell's "relation does not exist" would come without a hint. */
function unseededNotice(state: ConsoleState): string | undefined {
  const problem = state.preflight.find((p) => p.kind === 'sandbox-unseeded');
  if (problem) return `⚠ ${problem.message}`;
  if (state.target?.kind === 'sandbox' && state.target.seedFileMissing) return `⚠ the sandbox database is empty: no seed file ${state.target.seedFileMissing}`;
  return undefined;
}

interface Budget {
  text: string;
  over: boolean;
}

function budgetOf(state: ConsoleState): Budget | undefined {
  const id = state.focus ?? state.order[state.cursor];
  const cell = id === undefined ? undefined : state.cells[id];
  const budget = cell ? budgetFor(state, cell.section) : undefined;
  if (!budget) return undefined;
  const since = state.sectionStartedAt[sectionKey(budget.section)];
  const spent = since === undefined ? 0 : state.now - since;
  const title = budget.section[budget.section.length - 1] ?? '';
  const short = title.replace(/\s*\(.*\)\s*$/, '');
  if (spent > budget.budgetMs) return { text: ` ⚠ ${short}: ${clock(spent)} / ${clock(budget.budgetMs)} OVER BUDGET `, over: true };
  return { text: `⏱ ${short}: ${clock(spent)} / ${clock(budget.budgetMs)}`, over: false };
}
