/**
 * The flags of `runbook run` and `runbook resume` as commander gives them, turned into
 * what the engine takes: a mode, a selection (comma lists split here), values, an actor.
 */
import { readFileSync, statSync } from 'node:fs';
import { platform, userInfo } from 'node:os';
import { InputError } from '../engine/errors.js';
import type { RunMode } from '../engine/events.js';
import type { Selection } from '../engine/plan/index.js';
import { parseIncidentTime } from '../engine/note-marks.js';
import { parseNotifyOn, type NotifyFilter } from '../engine/notify/filter.js';
import type { Runbook } from '../engine/runbook.js';
import { parseVarFile, parseVarFlags } from '../engine/variables.js';
import { shortMessage } from '../renderers/text/message.js';

export interface RunFlags {
  db?: string;
  yes?: boolean;
  dryRun?: boolean;
  var?: string[];
  /** `--var-file FILE`…: NAME=VALUE lines, for secrets kept off the command line. */
  varFile?: string[];
  from?: string;
  only?: string;
  transcript?: string;
  json?: boolean;
  keepGoing?: boolean;
  allowWrites?: boolean;
  /** With --dry-run: rehearse every SQL write on the target (run and rolled back). */
  rehearse?: boolean;
  strict?: boolean;
  actor?: string;
  /** SSH private key to sign the transcript with when the run ends. */
  signKey?: string;
  /** `--notify CMD`, `--notify-on run,write,failure,escalation`. */
  notify?: string;
  notifyOn?: string;
  /** `--detected-at`: ISO 8601 or HH:MM UTC. */
  detectedAt?: string;
  /** The shared incident log (see src/engine/log/). */
  log?: string;
  incident?: string;
  /** `--trust-seed`: run a sandbox seed that reaches outside the database without asking (see seed-confirm.ts). */
  trustSeed?: boolean;
}

export function modeOf(flags: Pick<RunFlags, 'dryRun' | 'yes'>): RunMode {
  if (flags.dryRun) return 'dry-run';
  return flags.yes ? 'unattended' : 'interactive';
}

export function actorOf(flags: Pick<RunFlags, 'actor'>, env: NodeJS.ProcessEnv = process.env): string {
  if (flags.actor) return flags.actor;
  if (env.USER) return env.USER;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** `--only a, b,,c` → ['a', 'b', 'c']. Given but naming no cell (`--only ''`, `--only ,,`) is a usage error, never "every cell". */
export function idList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) throw new InputError(`--only ${JSON.stringify(value)} names no cell; give cell ids, e.g. --only stuck-jobs,blocked-queries (runbook list shows them)`);
  return ids;
}

export function selectionOf(flags: Pick<RunFlags, 'from' | 'only'>): Selection {
  const only = idList(flags.only);
  return { ...(flags.from ? { from: flags.from } : {}), ...(only ? { only } : {}) };
}

/**
 * `--var-file FILE`… then `--var NAME=VALUE`… → values (a `--var` wins over a file, a later
 * file over an earlier one); a malformed one is an InputError naming it.
 */
export function valuesOf(flags: Pick<RunFlags, 'var' | 'varFile'>): Record<string, string> {
  const fromFiles = Object.assign({}, ...(flags.varFile ?? []).map(readVarFile)) as Record<string, string>;
  return { ...fromFiles, ...parseVarFlags(flags.var ?? []) };
}

/** A small regular file, read once; one a group or other users can read gets a warning (it holds secrets). */
function readVarFile(file: string): Record<string, string> {
  let text: string;
  try {
    const info = statSync(file);
    if (!info.isFile()) throw new InputError(`--var-file ${file} is not a regular file; give a file of NAME=VALUE lines`);
    if (info.size > MAX_VAR_FILE_BYTES) throw new InputError(`--var-file ${file} is ${info.size} bytes, more than ${MAX_VAR_FILE_BYTES} (1 MiB); give a file of NAME=VALUE lines`);
    if (platform() !== 'win32' && (info.mode & 0o044) !== 0) {
      process.stderr.write(`${shortMessage({ reason: `--var-file ${file} can be read by other users (mode ${(info.mode & 0o777).toString(8)})`, fix: `chmod 600 ${file}`, severity: 'warning' })}\n`);
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`--var-file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a file of NAME=VALUE lines`);
  }
  return parseVarFile(text, file);
}

const MAX_VAR_FILE_BYTES = 1024 * 1024;

/** `--detected-at 02:55` → ISO 8601 UTC; a time that is not one, or in the future, is a usage error. */
export function detectedAtOf(flags: Pick<RunFlags, 'detectedAt'>, now = new Date()): string | undefined {
  if (flags.detectedAt === undefined) return undefined;
  const at = parseIncidentTime(flags.detectedAt.trim(), now);
  if (!at) throw new InputError(`--detected-at ${JSON.stringify(flags.detectedAt)} is not a time; give ISO 8601 (2026-11-28T19:52:00Z) or a UTC clock time (19:52)`);
  if (at.getTime() > now.getTime() + 60_000) throw new InputError(`--detected-at ${flags.detectedAt} is in the future (${at.toISOString()}); give when the incident was detected`);
  return at.toISOString();
}

/**
 * The notifier: `--notify` wins over the frontmatter's `notify:` (a command, or
 * `{command, on}`); `--notify-on` over its `on`. A bad one is a usage error before anything runs.
 */
export function notifyOf(flags: Pick<RunFlags, 'notify' | 'notifyOn'>, runbook: Runbook): { notify?: { command: string; filter: NotifyFilter } } {
  const written = runbook.frontmatter.notify;
  const fromFile = typeof written === 'string' ? { command: written } : written && typeof written === 'object' ? (written as { command?: unknown; on?: unknown }) : undefined;
  if (written !== undefined && (typeof fromFile?.command !== 'string' || (fromFile.on !== undefined && typeof fromFile.on !== 'string'))) {
    throw new InputError(`${runbook.path}: frontmatter notify: must be a command, or {command: CMD, on: "run,write,failure,escalation"}`);
  }
  const command = flags.notify ?? (fromFile?.command as string | undefined);
  if (command === undefined) {
    if (flags.notifyOn !== undefined) throw new InputError('--notify-on needs --notify CMD (or frontmatter notify:)');
    return {};
  }
  if (!command.trim()) throw new InputError('--notify needs a command, e.g. --notify \'curl -sS -X POST -d @- "$WEBHOOK_URL"\'');
  const on = flags.notifyOn ?? (flags.notify === undefined ? (fromFile?.on as string | undefined) : undefined);
  return { notify: { command, filter: parseNotifyOn(on, flags.notifyOn !== undefined ? '--notify-on' : 'frontmatter notify.on') } };
}
