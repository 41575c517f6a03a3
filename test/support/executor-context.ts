/** Builds cells and execution contexts for executor tests, and collects what they emit. */
import type { Cell, Lang } from '../../src/engine/runbook.js';
import { afterEach } from 'vitest';
import { createShellExecutor } from '../../src/engine/lang/sh/executor.js';
import type { ExecutionContext, Executor, ExecutorEvent } from '../../src/engine/lang/executor.js';

export function cellOf(lang: Lang, source: string, attributes: Cell['attributes'] = {}, id = 'cell'): Cell {
  return {
    id,
    lang,
    tag: lang,
    line: 10,
    sourceLine: 11,
    column: 1,
    section: ['Test'],
    prose: '',
    source,
    attributes,
    unknownAttributes: [],
    placeholders: [],
    envRefs: [],
  };
}

export interface Recorded {
  context: ExecutionContext;
  events: ExecutorEvent[];
  controller: AbortController;
  /** stdout/stderr/notice text joined in arrival order, as `stream:data` entries. */
  output(stream?: string): string;
}

export function contextFor(
  lang: Lang,
  source: string,
  overrides: Partial<Omit<ExecutionContext, 'emit' | 'signal'>> & { id?: string; attributes?: Cell['attributes'] } = {},
): Recorded {
  const events: ExecutorEvent[] = [];
  const controller = new AbortController();
  const { id, attributes, ...rest } = overrides;
  const context: ExecutionContext = {
    cell: cellOf(lang, source, attributes, id),
    source,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
    signal: controller.signal,
    readOnly: false,
    cwd: process.cwd(),
    maxRows: 100,
    emit: (event) => events.push(event),
    ...rest,
  };
  return {
    context,
    events,
    controller,
    output(stream) {
      return events
        .filter((e) => e.type === 'cell.output' && (stream === undefined || e.stream === stream))
        .map((e) => (e.type === 'cell.output' ? e.data : ''))
        .join('');
    },
  };
}

/**
 * Shell executors for one test file, closed after each test: call inside the file's top
 * level (it registers the afterEach hook there).
 */
export function shellExecutors(): (options?: Parameters<typeof createShellExecutor>[0]) => Executor {
  const open: Executor[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((e) => e.close()));
  });
  return (options = { lang: 'sh' }) => {
    const executor = createShellExecutor({ killGraceMs: 500, ...options });
    open.push(executor);
    return executor;
  };
}
