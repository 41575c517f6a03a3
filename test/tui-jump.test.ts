import { describe, expect, it } from 'vitest';
import { matchJump } from '../src/renderers/tui/jump.js';
import { initialState } from '../src/renderers/tui/state.js';

const state = initialState({
  cells: [
    { id: 'who-am-i', lang: 'sql', line: 1, section: ['2. Diagnostics (SQL - run against prod)'] },
    { id: 'stuck-jobs', lang: 'sql', line: 5, section: ['2. Diagnostics (SQL - run against prod)'] },
    { id: 'release-stuck-jobs', lang: 'sql', line: 9, section: ['Release Stuck Jobs'] },
    { id: 'rollback', lang: 'powershell', line: 12, section: ['Rollback'] },
  ],
});

describe('jump matching', () => {
  it('takes a number as the place in the outline', () => {
    expect(matchJump(state, '3').cell).toBe('release-stuck-jobs');
    expect(matchJump(state, '9')).toEqual({ candidates: [], total: 0 });
  });

  it('prefers the exact id, then a prefix, then a word, then anywhere, then letters in order', () => {
    expect(matchJump(state, 'stuck-jobs').cell).toBe('stuck-jobs');
    expect(matchJump(state, 'roll').cell).toBe('rollback');
    expect(matchJump(state, 'who').cell).toBe('who-am-i');
    expect(matchJump(state, 'rlbk').cell).toBe('rollback');
  });

  it('lists the candidates when more than one cell matches', () => {
    expect(matchJump(state, 'jobs')).toEqual({ candidates: ['stuck-jobs', 'release-stuck-jobs'], total: 2 });
    // A prefix of one id beats a word inside another.
    expect(matchJump(state, 'stuck').cell).toBe('stuck-jobs');
    // `2-d` (the try) means the heading "2. Diagnostics": both of its cells, shown to choose from.
    expect(matchJump(state, '2-d').candidates).toEqual(['who-am-i', 'stuck-jobs']);
  });
});
