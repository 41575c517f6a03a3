/**
 * visibleEvent shows control characters instead of obeying them, copy-on-write: an event
 * without one is the very same object (screens see every event), one with one is copied
 * along the path to it, and the transcript's object never changes.
 */
import { describe, expect, it } from 'vitest';
import { visibleEvent } from '../src/renderers/text/visible.js';

describe('visibleEvent', () => {
  it('returns the very same event, rows and all, when nothing in it is a control character', () => {
    const event = { type: 'sql.result', columns: ['a', 'b'], rows: [['1', null], ['tab\there', 'line\nbreak\r\n']], rowCount: 2 };
    const shown = visibleEvent(event);
    expect(shown).toBe(event);
    expect(shown.rows).toBe(event.rows);
  });

  it('copies only the path to a control character and leaves the input as it was', () => {
    const clean = ['2', 'ok'];
    const event = { type: 'sql.result', rows: [['1', '\u001b]52;c;aGk=\u0007'], clean], note: { text: 'a\rb' } };
    const shown = visibleEvent(event);
    expect(shown.rows[0]).toEqual(['1', '\\x1B]52;c;aGk=\\x07']);
    expect(shown.note.text).toBe('a\\rb');
    expect(shown.rows[1]).toBe(clean);
    expect(event.rows[0]![1]).toBe('\u001b]52;c;aGk=\u0007');
    expect(event.note.text).toBe('a\rb');
  });
});
