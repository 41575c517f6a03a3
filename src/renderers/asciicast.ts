/**
 * `runbook timeline --format cast`: the run's screen as an asciicast v2 recording — the
 * same text the plain renderer prints live, at the moments it was printed, with a marker
 * (`m` event) labelled with the cell id at each cell.started so a player can step
 * through the run cell by cell.
 */
import type { RunEvent, UnknownEvent } from '../engine/events.js';
import { createPlainRenderer } from './plain.js';
import { displayWidth } from './text/width.js';

export interface AsciicastOptions {
  /** Terminal columns; default: wide enough for the output, between 80 and 200. */
  width?: number;
  height?: number;
  /** Shown in the header, as the live run showed it. */
  transcriptPath?: string;
}

type CastEvent = [number, 'o' | 'm', string];

const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

export function renderAsciicast(events: readonly (RunEvent | UnknownEvent)[], options: AsciicastOptions = {}): string {
  const first = events.find((e) => e.type === 'run.started') ?? events[0];
  const origin = Date.parse(first?.ts ?? '') || 0;
  let pending = '';
  // The live run's rendering (no width given), so the recording shows what the screen showed.
  const render = createPlainRenderer((text) => (pending += text), { color: true, ...(options.transcriptPath ? { transcriptPath: options.transcriptPath } : {}) });
  const out: CastEvent[] = [];
  let clock = 0;
  for (const event of events) {
    // Times never run backwards, even if the clock of a resumed run's machine did.
    clock = Math.max(clock, ((Date.parse(event.ts) || origin) - origin) / 1000);
    const time = Math.round(clock * 1e6) / 1e6;
    if (event.type === 'cell.started' && typeof event.cell === 'string') out.push([time, 'm', event.cell]);
    render(event);
    if (pending) {
      // A terminal moves to column 0 only on a carriage return.
      out.push([time, 'o', pending.replace(/\r?\n/g, '\r\n')]);
      pending = '';
    }
  }
  const columns = options.width ?? Math.min(200, Math.max(80, widest(out)));
  const started = first as (RunEvent & { type: 'run.started' }) | undefined;
  const header = {
    version: 2,
    width: columns,
    height: options.height ?? 40,
    timestamp: Math.floor(origin / 1000),
    title: started?.type === 'run.started' ? `${started.runbook.title} — run ${started.run}` : `runbook run ${first?.run ?? ''}`.trim(),
    env: { TERM: 'xterm-256color' },
  };
  return [header, ...out].map((line) => JSON.stringify(line)).join('\n') + '\n';
}

function widest(events: CastEvent[]): number {
  let max = 0;
  for (const [, kind, text] of events) {
    if (kind !== 'o') continue;
    for (const line of text.replace(ANSI, '').split('\r\n')) max = Math.max(max, displayWidth(line));
  }
  return max;
}
