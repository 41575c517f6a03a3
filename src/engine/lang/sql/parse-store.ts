/**
 * PostgreSQL's parser's answers (libpg-query: a tree or a syntax error, a token list), kept
 * on disk between runs by the text's sha256. Loading the parser is the largest part of a
 * short command's start: its 1.7 MB WASM module costs ~50 ms of CPU and ~100 ms of wall
 * before the first answer, more than everything else `runbook list` does. A runbook's SQL
 * rarely changes between two runs, so from the second run on a file read replaces it.
 *
 * Written by hand: the answers are plain JSON and content-addressed, so a directory of
 * files written whole (temporary file, then rename) is all the store there is; no cache
 * library keys by content and verifies what it reads as this must.
 *
 * What it trusts: an answer counts only if it names the parser it came from (libpg-query's
 * version and its WASM's size) and the very text asked about; anything else (torn, edited,
 * another version's) is a miss, parsed again and written over. The directory is the user's
 * own (made 0700, in the same cache as the PowerShell host's DLL, which runs as code); as
 * for that DLL, one that others may write to (group or other write, another owner) is not
 * used at all: a planted answer could make a write look like a read. A store that
 * cannot be read or written (read-only home, full disk) is no store: nothing fails for it.
 * Texts over MAX_TEXT characters (a sandbox seed) are not kept: their trees are large.
 * The store holds at most MAX_ENTRIES answers: a process that writes first drops the oldest
 * half when there are more (a property test parses thousands of texts). A process keeps its
 * new answers only if they are at most MAX_WRITES, written as it exits: a 10,000-cell
 * runbook's `list` wrote a file per statement (+0.3 s a run, the parser loaded anyway), and
 * opening a file costs ~40 µs here, so pg-parser.ts also stops reading once it has loaded
 * the parser.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { platform } from 'node:os';
import { dirname, join } from 'node:path';
import { runbookCacheDir } from '../../cache-dir.js';
import { makeDirs } from '../../make-dirs.js';

export type ParserAnswer<T> = { ok: T } | { error: { message: string; cursor?: number } };

const MAX_TEXT = 64 * 1024;
const MAX_ENTRIES = 4096;
const MAX_WRITES = 512;
let pruned = false;

let store: { dir: string; parser: string } | null | undefined;
let trusted: boolean | undefined;

/** The store's directory and the parser's identity, found once per process; null when there is none to use. */
function opened(): { dir: string; parser: string } | null {
  if (store !== undefined) return store;
  try {
    const manifest = createRequire(import.meta.url).resolve('libpg-query/package.json');
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    const parser = `libpg-query ${version} ${statSync(join(dirname(manifest), 'wasm', 'libpg-query.wasm')).size}`;
    const dir = join(runbookCacheDir(process.env), 'sql-parse', createHash('sha256').update(parser).digest('hex').slice(0, 16));
    store = { dir, parser };
  } catch {
    store = null;
  }
  return store;
}

/** Whether only this user can write the store's directory; undefined while it does not exist. */
function trustedDir(dir: string): boolean | undefined {
  if (trusted !== undefined) return trusted;
  let stats;
  try {
    stats = statSync(dir);
  } catch {
    return undefined;
  }
  // Windows: %LOCALAPPDATA% is the user's own by its ACL, which a mode does not show.
  trusted = platform() === 'win32' || ((stats.mode & 0o022) === 0 && stats.uid === process.getuid?.());
  return trusted;
}

function fileOf(dir: string, kind: string, text: string): string {
  return join(dir, `${kind}-${createHash('sha256').update(text).digest('hex')}.json`);
}

/** The answer kept for `text`, or undefined (never kept, another parser's, or not what it claims). */
export function storedAnswer<T>(kind: 'parse' | 'scan', text: string): ParserAnswer<T> | undefined {
  const at = text.length <= MAX_TEXT ? opened() : null;
  if (!at || !trustedDir(at.dir)) return undefined;
  try {
    const kept = JSON.parse(readFileSync(fileOf(at.dir, kind, text), 'utf8')) as { parser?: unknown; kind?: unknown; text?: unknown; answer?: ParserAnswer<T> };
    if (kept.parser !== at.parser || kept.kind !== kind || kept.text !== text || typeof kept.answer !== 'object' || kept.answer === null) return undefined;
    return 'ok' in kept.answer || 'error' in kept.answer ? kept.answer : undefined;
  } catch {
    return undefined;
  }
}

/** Answers to keep, written as the process exits; null once there are more than MAX_WRITES. */
let pending: Map<string, string> | null | undefined;

/**
 * Keeps the parser's answer for `text`: written when the process exits, and only when it
 * had at most MAX_WRITES to keep (more, and the next run loads the parser anyway). A failure
 * to write is ignored: the next run parses again.
 */
export function storeAnswer<T>(kind: 'parse' | 'scan', text: string, answer: ParserAnswer<T>): void {
  if (text.length > MAX_TEXT || pending === null) return;
  const at = opened();
  if (!at) return;
  if (pending === undefined) {
    pending = new Map();
    process.once('exit', flushStore);
  }
  pending.set(fileOf(at.dir, kind, text), JSON.stringify({ parser: at.parser, kind, text, answer }));
  if (pending.size > MAX_WRITES) pending = null;
}

/** Writes the answers kept by this process (at exit; tests call it). */
export function flushStore(): void {
  const at = opened();
  const batch = pending;
  if (batch) pending = undefined;
  if (!at || !batch?.size) return;
  try {
    makeDirs(at.dir, 0o700);
    if (!trustedDir(at.dir)) return;
    if (!pruned) prune(at.dir);
  } catch {
    return; // read-only, full or missing: the store is an optimisation, never a reason to fail
  }
  for (const [file, content] of batch) {
    // Whole or not at all: a reader never sees half a file (a torn one would be a miss anyway).
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, content, { mode: 0o600 });
      renameSync(temporary, file);
    } catch {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // Not even there: nothing was left behind.
      }
      return;
    }
  }
}

/** Once a process: the oldest half goes when the store holds more than MAX_ENTRIES answers. */
function prune(dir: string): void {
  pruned = true;
  const names = readdirSync(dir);
  if (names.length <= MAX_ENTRIES) return;
  const aged = names.map((name) => {
    try {
      return { name, at: statSync(join(dir, name)).mtimeMs };
    } catch {
      return { name, at: 0 };
    }
  });
  aged.sort((a, b) => a.at - b.at);
  for (const { name } of aged.slice(0, names.length - MAX_ENTRIES / 2)) rmSync(join(dir, name), { force: true });
}

/** For tests: forget the directory found, so a changed XDG_CACHE_HOME is seen. */
export function forgetStore(): void {
  store = undefined;
  pruned = false;
  trusted = undefined;
  pending = undefined;
}
