/** The console's header shows the shared log only when it needs attention, in the delivery's own words. */
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { logHeaderText } from '../src/engine/log/delivery.js';
import { Header } from '../src/renderers/tui/components/Header.js';
import { reduce } from '../src/renderers/tui/reducer.js';
import { initialState } from '../src/renderers/tui/state.js';

// eslint-disable-next-line no-control-regex -- terminal escapes are control characters
const plain = (frame: string | undefined) => (frame ?? '').replace(/\u001b\[[0-9;]*m/g, '');

describe('the log in the console header', () => {
  it('words each state short, and says nothing while the log keeps up', () => {
    expect(logHeaderText({ state: 'unreachable', behind: 12, reason: 'connect ECONNREFUSED 127.0.0.1:5433' })).toBe('log: unreachable');
    expect(logHeaderText({ state: 'behind', behind: 40 })).toBe('log: behind 40 events');
    expect(logHeaderText({ state: 'ok', behind: 7 })).toBe('log: 7 events to go');
    expect(logHeaderText({ state: 'ok', behind: 0 })).toBeUndefined();
  });

  it('shows the status beside actor and clock, and drops it once the log has caught up', () => {
    const base = { ...initialState({ title: 'Dragonfly', actor: 'alice' }), target: { kind: 'sandbox' as const, name: 'dragonfly@sandbox', url: '' } };
    const down = reduce(base, { type: 'ui.log', text: 'log: unreachable' });
    const frame = plain(render(<Header state={down} width={100} />).lastFrame());
    expect(frame).toMatch(/dragonfly@sandbox · alice · 0:00 · log: unreachable/);
    const back = reduce(down, { type: 'ui.log', text: undefined });
    expect(plain(render(<Header state={back} width={100} />).lastFrame())).not.toContain('log:');
  });
});
