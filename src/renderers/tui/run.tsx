/**
 * `runbook run` on a terminal: the runner's operator is the console. Resolves to the
 * run's summary (the command maps it to an exit code) once the last frame is on the screen.
 */
import { render } from 'ink';
import type { RunSummary } from '../../engine/runner.js';
import type { InteractiveOptions } from '../../engine/session.js';
import { InputError } from '../../engine/errors.js';
import type { ChecklistItem } from '../../engine/runbook.js';
import { App, liveLayout } from './App.js';
import { Controller } from './controller.js';
import { editSource } from './editor.js';
import { TuiOperator } from './operator.js';
import { pagerText, showInPager } from './pager.js';
import { stateFromRunbook, type ChecklistEntry } from './state.js';
import { createConsoleStore } from './store.js';

export async function runInteractive(opts: InteractiveOptions): Promise<RunSummary> {
  const stdin = process.stdin;
  // Decided once: keys need a terminal in raw mode; anything else is an unattended run.
  if (!stdin.isTTY || !process.stdout.isTTY) {
    throw new InputError('runbook run: the console needs a terminal; run it in one, or pass --yes for an unattended run');
  }
  const { runbook, target, actor } = opts;
  const unseeded = target.seedFileMissing ? { seedFileMissing: target.seedFileMissing } : {};
  const store = createConsoleStore(stateFromRunbook(runbook, actor, { kind: target.kind, name: target.name, url: target.maskedUrl, ...unseeded }));
  const operator = new TuiOperator(actor, store);
  operator.terminal = {
    // An interactive cell has the terminal: cooked mode, no console keys, on the alternate screen so the
    // console's frame is there as it was when the cell ends (its output is in its pane, as recorded).
    run: (use) => {
      stdin.setRawMode(false);
      process.stdout.write('\u001b[?1049h\u001b[H\u001b[2J');
      process.stdout.write('runbook: this cell is interactive: the terminal is its own until it ends\n\n');
      try {
        return use();
      } finally {
        process.stdout.write('\u001b[?1049l');
        stdin.setRawMode(true);
        store.dispatch({ type: 'ui.flash', text: 'back from the interactive cell' });
      }
    },
  };
  // A resumed run: the earlier cells as recorded (outcome, output, o pages it), the clock from the first start.
  for (const event of opts.history ?? []) store.push(event);
  store.flush();
  const runner = opts.createRunner(operator);
  runner.subscribe((event) => {
    operator.observe(event);
    store.push(event);
  });
  const checklistItem = (entry: ChecklistEntry): ChecklistItem =>
    runbook.checklist.find((item) => item.line === entry.line) ?? { text: entry.text, checked: entry.checked, line: entry.line, section: [] };
  const controller = new Controller({
    store,
    operator,
    runner: {
      note: (text, cell) => runner.note(text, cell),
      tick: (entry, checked) => runner.tick(checklistItem(entry), checked),
      cancelCurrent: () => runner.cancelCurrent(),
    },
    edit: (cell) =>
      editSource(cell.source, cell.lang, {
        name: cell.id,
        // The editor owns the terminal while it runs: cooked mode, no console keys.
        suspend: () => stdin.setRawMode(false),
        resume: () => stdin.setRawMode(true),
      }),
    page: (state, cell) => {
      showInPager(pagerText(state, cell, process.stdout.columns || 80), {
        suspend: () => stdin.setRawMode(false),
        resume: () => stdin.setRawMode(true),
      });
      // The pager had the screen: a new frame puts the console back.
      store.dispatch({ type: 'ui.flash', text: `back from the pager (${cell})` });
    },
    viewport: () => {
      const columns = process.stdout.columns || 80;
      return { width: columns, height: liveLayout(store.getState(), columns, process.stdout.rows || 24).pane };
    },
  });

  const ink = render(<App store={store} controller={controller} interactive />, { exitOnCtrlC: false, patchConsole: false });
  const clock = setInterval(() => store.dispatch({ type: 'ui.clock', now: Date.now() }), 1000);
  const stopLog = opts.logStatus?.((text) => store.dispatch({ type: 'ui.log', text }));
  // Signals (SIGINT, SIGTERM, SIGHUP) are the command's to map: see src/commands/run-stops.ts.
  try {
    const summary = await runner.run();
    store.flush();
    // One more frame (Ink draws at most every ~33 ms) so the final state is what stays on screen.
    await new Promise((resolve) => setTimeout(resolve, 60));
    return summary;
  } finally {
    clearInterval(clock);
    stopLog?.();
    ink.unmount();
    await ink.waitUntilExit().catch(() => undefined);
    store.close();
  }
}
