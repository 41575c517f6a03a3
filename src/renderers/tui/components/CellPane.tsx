/**
 * The selected cell: compact prose, highlighted source with placeholders marked (or the
 * values bound to them, secrets masked), and what it did — the live tail while it runs
 * (with its elapsed time against its timeout), its result once it finished (scrollable
 * with PgUp / PgDn, status and error pinned below). `v` shows the whole source instead.
 * What goes where is counted in ../pane.ts.
 */
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { MASK } from '../../../engine/redact.js';
import { displayWidth, splitAtWidth } from '../../text/width.js';
import { clock } from '../../text/time.js';
import { STATUS_GLYPH } from '../../text/status.js';
import { highlightSource } from '../highlight.js';
import { paneModel, shownValues, statusText } from '../pane.js';
import type { CellView, ConsoleState } from '../state.js';
import { STATUS_COLOR, tone } from '../theme.js';
import { OutputView } from './OutputView.js';

export function CellPane({ state, cell, height, width }: { state: ConsoleState; cell: CellView; height: number; width: number }) {
  const title = <CellTitle state={state} cell={cell} />;
  if (state.sourceView) {
    // The whole view wraps long lines rather than cut them: colour gives way, every character stays.
    // eslint-disable-next-line no-control-regex -- the inverse marks are escapes; cut rows must not split one
    const plain = highlightSource(cell.source, cell.lang, { values: shownValues(state), color: false }).replace(/\u001b\[2?7m/g, '').split('\n');
    const rows = plain.flatMap((line) => hardWrap(line, Math.max(10, width - 4)));
    return <SourceView state={state} cell={cell} source={rows} title={title} height={height} width={width} />;
  }
  const pane = paneModel(state, cell, width, height);
  const scroll = pane.scroll;
  return (
    <Box flexDirection="column" width={width}>
      {title}
      {pane.prose.map((line, i) => (
        <Text key={`p${i}`} dimColor wrap="truncate-end">
          {line}
        </Text>
      ))}
      {pane.source.map((line, i) => (
        <Text key={`s${i}`} wrap="truncate-end">
          {`  ${line || ' '}`}
        </Text>
      ))}
      {pane.notes.map((line, i) => (
        <Text key={`n${i}`} wrap="truncate-end" color={tone('yellow')}>
          {line}
        </Text>
      ))}
      <OutputView lines={pane.output} />
      {scroll ? (
        <Text dimColor wrap="truncate-end">{`── lines ${scroll.top + 1}–${scroll.top + pane.output.length} of ${scroll.total} · PgUp/PgDn scroll · o pages it all`}</Text>
      ) : null}
      <OutputView lines={pane.pinned} />
    </Box>
  );
}

/** `✓ id · sql · line 3 · succeeded`; a running cell's clock against its timeout; the WRITES tag while it is asked about. */
function CellTitle({ state, cell }: { state: ConsoleState; cell: CellView }) {
  const asked = state.ask && 'cell' in state.ask && state.ask.cell === cell.id ? state.ask : undefined;
  // The tag stays while the write's confirmation is open: that is when it matters most.
  const writes = (asked?.kind === 'decide' && asked.effect === 'write') || asked?.kind === 'confirm';
  // A ticking clock, against the timeout in the same shape: `running 0:42 / timeout 2:00`.
  const running = cell.status === 'running' ? ` ${clock(state.now - cell.startedAt)}${cell.timeoutMs ? ` / timeout ${clock(cell.timeoutMs)}` : ''}` : '';
  return (
    <Text wrap="truncate-end" bold>
      <Text color={tone(STATUS_COLOR[cell.status])}>{`${STATUS_GLYPH[cell.status]} `}</Text>
      {`${cell.id}`}
      <Text dimColor>{` · ${cell.lang} · line ${cell.line} · ${statusText(cell)}${running}${cell.attempt > 1 ? ` · attempt ${cell.attempt}` : ''}`}</Text>
      {cell.adhoc ? <Text color={tone('cyan')}>{' · AD-HOC'}</Text> : null}
      {writes ? <Text color={tone('red')}>{' · WRITES'}</Text> : null}
    </Text>
  );
}

/** `v`: every line of the source from the scroll position, then the values bound in it. */
function SourceView({ state, cell, source, title, height, width }: { state: ConsoleState; cell: CellView; source: string[]; title: ReactNode; height: number; width: number }) {
  const listed = boundList(state, cell);
  const rows = Math.max(1, height - 2 - listed.length);
  const top = Math.min(state.sourceView?.scroll ?? 0, Math.max(0, source.length - rows));
  const visible = source.slice(top, top + rows);
  const where = source.length > rows ? `lines ${top + 1}–${top + visible.length} of ${source.length} · ↑↓ scroll · ` : '';
  return (
    <Box flexDirection="column" width={width}>
      {title}
      <Text dimColor wrap="truncate-end">{`whole source · ${where}v or esc closes`}</Text>
      {visible.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {`  ${line || ' '}`}
        </Text>
      ))}
      {listed.map((line, i) => (
        <Text key={`v${i}`} wrap="truncate-end" color={tone('yellow')}>
          {line}
        </Text>
      ))}
    </Box>
  );
}

function boundList(state: ConsoleState, cell: CellView): string[] {
  return cell.placeholders.map((name) => {
    const bound = state.values[name];
    if (!bound) return `<${name}> has no value yet`;
    return `<${name}> = ${bound.secret || bound.value === undefined ? `${MASK} (secret)` : bound.value} (from ${bound.source})`;
  });
}

/** A source line cut into rows of `width` columns; continuation rows start with ↪. */
function hardWrap(line: string, width: number): string[] {
  if (displayWidth(line) <= width) return [line];
  let [head, rest] = splitAtWidth(line, width);
  const rows = [head];
  while (rest) {
    [head, rest] = splitAtWidth(rest, Math.max(1, width - 2));
    rows.push(`↪ ${head}`);
  }
  return rows;
}
