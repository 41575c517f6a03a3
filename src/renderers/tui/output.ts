/**
 * Appending to a cell's output buffer. Chunks arrive cut anywhere, so a line stays
 * open until its newline arrives; the buffer keeps only the last `cap` items so a cell
 * printing thousands of lines a second costs the screen a bounded amount of work.
 */
import type { OutputStream } from '../../engine/events.js';
import type { OutputBuffer, OutputItem } from './state.js';

export function appendText(buffer: OutputBuffer, stream: OutputStream, data: string, cap: number): OutputBuffer {
  if (data === '') return buffer;
  const items = buffer.items.slice();
  const pieces = data.replace(/\r\n/g, '\n').split('\n');
  const endsOpen = pieces[pieces.length - 1] !== '';
  if (!endsOpen) pieces.pop();
  pieces.forEach((piece, i) => {
    const open = i === pieces.length - 1 && endsOpen;
    const last = items[items.length - 1];
    if (i === 0 && last?.kind === 'text' && last.open && last.stream === stream) {
      items[items.length - 1] = { ...last, text: last.text + piece, open };
    } else {
      items.push({ kind: 'text', stream, text: piece, open });
    }
  });
  return capped(items, buffer.dropped, cap);
}

export function appendItem(buffer: OutputBuffer, item: OutputItem, cap: number): OutputBuffer {
  return capped([...closeOpenLine(buffer.items), item], buffer.dropped, cap);
}

/** A table or a spill notice starts on its own line even when text before it had no newline. */
function closeOpenLine(items: OutputItem[]): OutputItem[] {
  const last = items[items.length - 1];
  if (last?.kind !== 'text' || !last.open) return items;
  return [...items.slice(0, -1), { ...last, open: false }];
}

function capped(items: OutputItem[], dropped: number, cap: number): OutputBuffer {
  if (items.length <= cap) return { items, dropped };
  const over = items.length - cap;
  return { items: items.slice(over), dropped: dropped + over };
}
