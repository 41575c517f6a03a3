/**
 * The simulated sessions of a sandbox incident, declared in its seed file so the incident
 * lives in one place. One directive per line:
 *
 *   -- runbook:session name=dragonfly-worker-1 role=dragonfly_worker sql="BEGIN" sql="LOCK TABLE …"
 *   -- runbook:session name=dragonfly-api role=dragonfly_app sql="SELECT … FROM public.judgments"
 *   -- runbook:session name=dragonfly-worker-3 role=dragonfly_worker every=20s sql="UPDATE …"
 *
 * `name` becomes the session's application_name, `role` the login role, each `sql` runs in
 * order (a statement that waits on a lock is left waiting), `every` repeats the statements
 * (a heartbeat). Sessions open in the order written.
 */
import { InputError } from '../errors.js';
export interface SessionSpec {
  name: string;
  role: string;
  statements: string[];
  everyMs?: number;
  /** 1-based line in the seed file, for messages. */
  line: number;
}

const DIRECTIVE = /^\s*--\s*runbook:session\s+(.*)$/;
const PAIR = /([a-zA-Z]+)=(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;

export function parseSessions(seedText: string, file = 'seed'): SessionSpec[] {
  const sessions: SessionSpec[] = [];
  seedText.split('\n').forEach((text, index) => {
    const match = DIRECTIVE.exec(text);
    if (!match?.[1]) return;
    const line = index + 1;
    const spec: Partial<SessionSpec> & { statements: string[] } = { statements: [], line };
    for (const pair of match[1].matchAll(PAIR)) {
      const [, key, quoted, bare] = pair;
      const value = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '');
      if (key === 'name') spec.name = value;
      else if (key === 'role') spec.role = value;
      else if (key === 'sql') spec.statements.push(value);
      else if (key === 'every') spec.everyMs = durationMs(value, file, line);
      else throw new InputError(`${file}:${line}: unknown runbook:session key '${key}' (use name, role, sql, every)`);
    }
    if (!spec.name || !spec.role || spec.statements.length === 0) {
      throw new InputError(`${file}:${line}: a runbook:session needs name=, role= and at least one sql="…"`);
    }
    sessions.push(spec as SessionSpec);
  });
  return sessions;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000 };

function durationMs(value: string, file: string, line: number): number {
  const match = /^(\d+)(ms|s|m)$/.exec(value);
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0) : 0;
  if (ms <= 0) throw new InputError(`${file}:${line}: every=${value} is not a duration such as 20s`);
  return ms;
}
