/**
 * Which shared incident log a run writes to, if any. The URL: `--log URL` >
 * `RUNBOOK_LOG_URL` > the frontmatter's `log:` naming an environment variable
 * (`log: $INCIDENT_LOG_URL`, used when that variable is set). The incident: `--incident ID`
 * > `RUNBOOK_INCIDENT`. A log without an incident, or an incident without a log given on the
 * command line, is bad input, found before anything runs.
 */
import { readDatabaseUrl } from '../database-url.js';
import { InputError } from '../errors.js';
import { maskUrl, urlPasswords } from '../redact.js';
import type { Runbook } from '../runbook.js';

export interface LogTarget {
  /** Full URL, password included: give it to pg, never print it. */
  url: string;
  maskedUrl: string;
  incident: string;
  /** Passwords in the URL, to mask wherever they appear (a cell echoing $RUNBOOK_LOG_URL). */
  secrets: string[];
}

export interface LogFlags {
  log?: string;
  incident?: string;
}

/** Letters, digits and `._:#/@+-`, up to 128: fits a NOTIFY payload, a shell word and a file name part. */
const INCIDENT = /^[A-Za-z0-9][A-Za-z0-9._:#/@+-]{0,127}$/;
const VARIABLE = /^\$(?:env:)?(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/;

/** The log of a run, or undefined when none is configured. */
export function resolveRunLog(flags: LogFlags, env: NodeJS.ProcessEnv, runbook: Runbook): LogTarget | undefined {
  const url = flags.log ?? (env.RUNBOOK_LOG_URL || undefined) ?? frontmatterLog(runbook, env);
  if (url === undefined) {
    if (flags.incident !== undefined) throw new InputError('--incident needs a log to write to; add --log URL (or set RUNBOOK_LOG_URL)');
    return undefined;
  }
  const where = flags.log !== undefined ? '--log' : env.RUNBOOK_LOG_URL ? 'RUNBOOK_LOG_URL' : `${runbook.path}: frontmatter log:`;
  return logTarget(url, flags.incident ?? (env.RUNBOOK_INCIDENT || undefined), where);
}

/** For `follow`, `log push`, `timeline --log`, `verify --log`: both are required. */
export function requireLog(flags: LogFlags, env: NodeJS.ProcessEnv = process.env): LogTarget {
  const url = flags.log ?? (env.RUNBOOK_LOG_URL || undefined);
  if (url === undefined) throw new InputError('no log given; pass --log postgres://user:password@host/db (or set RUNBOOK_LOG_URL)');
  return logTarget(url, flags.incident ?? (env.RUNBOOK_INCIDENT || undefined), flags.log !== undefined ? '--log' : 'RUNBOOK_LOG_URL');
}

function logTarget(raw: string, incident: string | undefined, where: string): LogTarget {
  // The same reader as --db: a key/value string (`host=… password=…`) is a log too.
  const { url } = readDatabaseUrl(raw, where);
  if (incident === undefined) throw new InputError(`${where} names a log but no incident; add --incident ID (or set RUNBOOK_INCIDENT), e.g. --incident INC-1234`);
  return { url, maskedUrl: maskUrl(url), incident: checkedIncident(incident), secrets: urlPasswords(url) };
}

export function checkedIncident(raw: string): string {
  const incident = raw.trim();
  if (!INCIDENT.test(incident)) {
    throw new InputError(
      `--incident ${JSON.stringify(raw)} is not an incident id; use 1-128 letters, digits and . _ : # / @ + - starting with a letter or digit, e.g. INC-1234`,
    );
  }
  return incident;
}


/** `log: $VAR` in the frontmatter: the variable's value when it is set; a literal URL is refused (it would put a password in git). */
function frontmatterLog(runbook: Runbook, env: NodeJS.ProcessEnv): string | undefined {
  const raw = runbook.frontmatter.log;
  if (raw === undefined || raw === null) return undefined;
  const value = typeof raw === 'string' ? raw.trim() : '';
  const match = VARIABLE.exec(value);
  if (!match) {
    throw new InputError(`${runbook.path}: frontmatter log: must name an environment variable, e.g. log: $INCIDENT_LOG_URL (a URL in the runbook would put its password in git)`);
  }
  const name = (match[1] ?? match[2]) as string;
  return env[name] || undefined;
}
