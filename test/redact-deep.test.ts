/**
 * redactDeep masks every string of an event copy-on-write: what holds a secret is a new
 * object (the caller's never changes), what holds none is the very same one, rows and all.
 */
import { describe, expect, it } from 'vitest';
import { createRedactor, MASK, redactDeep } from '../src/engine/redact.js';

const redact = createRedactor(['hunter2-secret']);

describe('redactDeep', () => {
  it('returns the very same value, at every level, when nothing in it is masked', () => {
    const event = { type: 'sql.result', rows: [['1', null, 'x'], ['2', 3, true]], columns: ['a', 'b', 'c'], nested: { deep: ['plain'] }, n: 4 };
    const masked = redactDeep(event, redact);
    expect(masked).toBe(event);
    expect(masked.rows).toBe(event.rows);
    expect(masked.nested.deep).toBe(event.nested.deep);
  });

  it('copies only the path to a masked string and never changes its input', () => {
    const rows = [['1', 'a hunter2-secret b'], ['2', 'clean']];
    const untouched = { kept: ['clean'] };
    const event = { type: 'sql.result', rows, untouched, url: 'postgres://u:pw-in-url@h/db' };
    const masked = redactDeep(event, redact);
    expect(masked).not.toBe(event);
    expect(masked.rows[0]).toEqual(['1', `a ${MASK} b`]);
    expect(masked.url).toBe(`postgres://u:${MASK}@h/db`);
    // The rest is shared, the input as it was.
    expect(masked.rows[1]).toBe(rows[1]);
    expect(masked.untouched).toBe(untouched);
    expect(rows[0]).toEqual(['1', 'a hunter2-secret b']);
    expect(event.url).toBe('postgres://u:pw-in-url@h/db');
  });

  it('keeps numbers, booleans, null and holes as they are', () => {
    // eslint-disable-next-line no-sparse-arrays
    const value = [1, true, null, undefined, , 'hunter2-secret'];
    const masked = redactDeep(value, redact);
    expect(masked).toHaveLength(6);
    expect(masked.slice(0, 4)).toEqual([1, true, null, undefined]);
    expect(4 in masked).toBe(false);
    expect(masked[5]).toBe(MASK);
  });
});
