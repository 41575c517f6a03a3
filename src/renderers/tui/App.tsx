/**
 * The operator console: settled cells go to <Static> (printed once, then part of the
 * scrollback); below them a live area sized to the terminal — header, outline, the
 * selected cell (or help, or the checklist), and the keys or an open prompt.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { Box, Static, useInput, useStdout } from 'ink';
import { CellPane } from './components/CellPane.js';
import { Checklist } from './components/Checklist.js';
import { Footer } from './components/Footer.js';
import { Header, headerRows } from './components/Header.js';
import { Help } from './components/Help.js';
import { LogEntry } from './components/LogEntry.js';
import { Outline } from './components/Outline.js';
import type { KeyHandler } from './controller.js';
import { footerLines, type FooterLine } from './footer-lines.js';
import { cursorCell, inChecklistPhase, type ConsoleState } from './state.js';
import type { ConsoleStore } from './store.js';

export interface AppProps {
  store: ConsoleStore;
  controller: KeyHandler;
  /** Decided once at start: raw-mode keys only where the terminal supports them. */
  interactive: boolean;
  replay?: boolean;
}

export function App({ store, controller, interactive, replay }: AppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const { columns, rows } = useTerminalSize();
  useInput((input, key) => controller.key(input, key), { isActive: interactive });
  return (
    <>
      <Static items={state.log}>{(cell, i) => <LogEntry key={i} cell={cell} width={columns} />}</Static>
      <LiveArea state={state} columns={columns} rows={rows} replay={replay} />
    </>
  );
}

/**
 * Rows of each part of the live area, given the header's and the footer's (both wrap).
 * It stays below the terminal's height so Ink never has to clear the screen.
 */
export function layout(rows: number, header = 2, footer = 1): { outline: number; pane: number } {
  const usable = Math.max(8, rows - 1);
  const outline = Math.min(10, Math.max(3, Math.floor(rows / 5)));
  return { outline, pane: Math.max(3, usable - header - footer - outline) };
}

/** The live area's parts at this size: what the view draws, and what PgUp / PgDn scroll within. */
export function liveLayout(state: ConsoleState, columns: number, rows: number, replay?: boolean): { outline: number; pane: number; footer: FooterLine[] } {
  const footer = footerLines(state, columns, replay);
  return { ...layout(rows, headerRows(state, columns), footer.length), footer };
}

export function LiveArea({ state, columns, rows, replay }: { state: ConsoleState; columns: number; rows: number; replay?: boolean }) {
  const { outline, pane, footer } = liveLayout(state, columns, rows, replay);
  const selected = cursorCell(state);
  const showChecklist = inChecklistPhase(state) || (state.run.status !== 'running' && state.checklist.some((c) => c.checked));
  return (
    <Box flexDirection="column" width={columns}>
      <Header state={state} width={columns} replay={replay} />
      {state.help ? null : <Outline state={state} height={outline} width={columns} />}
      <Box flexDirection="column">
        {state.help ? (
          <Help width={columns} />
        ) : showChecklist ? (
          <Checklist state={state} height={pane} width={columns} />
        ) : selected ? (
          <CellPane state={state} cell={selected} height={pane} width={columns} />
        ) : null}
      </Box>
      <Footer lines={footer} width={columns} />
    </Box>
  );
}

function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
