/** Sections and cells with their status marks; a window that keeps the selected cell in view. */
import { Box, Text } from 'ink';
import { isFinished, type CellView, type ConsoleState } from '../state.js';
import { STATUS_COLOR, tone } from '../theme.js';
import { STATUS_GLYPH, finishedPhrase, statusWord } from '../../text/status.js';

type Row = { kind: 'section'; title: string } | { kind: 'cell'; cell: CellView; index: number };

/** Sections and cells in document order; a section of prose only (Symptoms) by its title, its text in the next cell's pane. */
export function outlineRows(state: ConsoleState): Row[] {
  const rows: Row[] = [];
  let previous = '';
  const prose = (before: string | undefined) => {
    for (const section of state.prose ?? []) {
      if (section.before !== before) continue;
      rows.push({ kind: 'section', title: `${section.title} (read it in the next cell's pane)` });
      previous = section.title;
    }
  };
  state.order.forEach((id, index) => {
    const cell = state.cells[id];
    if (!cell) return;
    prose(id);
    const title = cell.section[cell.section.length - 1] ?? '';
    if (title && title !== previous) rows.push({ kind: 'section', title });
    previous = title;
    rows.push({ kind: 'cell', cell, index });
  });
  prose(undefined);
  return rows;
}

export function Outline({ state, height, width }: { state: ConsoleState; height: number; width: number }) {
  const rows = outlineRows(state);
  const at = Math.max(0, rows.findIndex((r) => r.kind === 'cell' && r.index === state.cursor));
  const start = Math.max(0, Math.min(at - Math.floor(height / 2), rows.length - height));
  const visible = rows.slice(start, start + height);
  return (
    <Box flexDirection="column" width={width} height={Math.min(height, rows.length)}>
      {visible.map((row, i) =>
        row.kind === 'section' ? (
          <Text key={i} dimColor wrap="truncate-end">{`  § ${row.title}`}</Text>
        ) : (
          <CellRow key={i} cell={row.cell} number={row.index + 1} selected={row.index === state.cursor && !state.onChecklist} focused={row.cell.id === state.focus} />
        ),
      )}
    </Box>
  );
}

/** `› 3 ✓ who-am-i succeeded 12 ms`: the number is what `g 3` jumps to. */
function CellRow({ cell, number, selected, focused }: { cell: CellView; number: number; selected: boolean; focused: boolean }) {
  const status =
    isFinished(cell) ? finishedPhrase(cell, { brief: true })
    : cell.status === 'pending' && cell.whyNot ? `pending · ${cell.whyNot}`
    : statusWord(cell.status);
  return (
    <Text wrap="truncate-end" inverse={selected} bold={focused}>
      {selected ? '›' : ' '}
      <Text dimColor>{String(number).padStart(2)}</Text>
      <Text color={tone(STATUS_COLOR[cell.status])}>{` ${STATUS_GLYPH[cell.status]} `}</Text>
      {`${cell.id} `}
      <Text dimColor>{status}</Text>
    </Text>
  );
}
