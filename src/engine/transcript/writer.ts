/**
 * The transcript writer: append-only JSONL, one whole line per `write` (a synchronous
 * write, so a SIGKILL never loses an event the runner has handed over), hash-chained,
 * synced to disk at the events an incident review cannot do without (group commit: see mustSync).
 *
 * The sync is fdatasync, not fsync: it makes the data and the file's length durable,
 * which is all a reader needs; fsync would also flush timestamps. A new file's directory
 * is synced once, so the file itself survives a power loss too.
 */
import { closeSync, constants, fdatasyncSync, fsyncSync, ftruncateSync, lstatSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../errors.js';
import type { RunEvent } from '../events.js';
import { serializeLine } from './format.js';
import { acquireLock, checkNotLocked, type TranscriptLock } from './lock.js';
import { sidecarPathFor } from './paths.js';
import { deadSidecar, guardSidecar, openSidecar, type SidecarFile } from './sidecar.js';
import { scanChainSync } from './verify.js';
import { describeFailure, errorText, leaveNothing, remedy, TranscriptWriteError, type TranscriptFailure } from './write-failure.js';
import { makeDirs } from '../make-dirs.js';

/** Events after which the file is flushed to disk before the run goes on, whatever cell they belong to. */
const SYNC_TYPES = new Set([
  // sql.transaction: on disk before the write it names can commit (resume asks the server about it).
  'run.started', 'run.resumed', 'sql.transaction', 'operator.note', 'checklist.ticked', 'run.finished',
]);
/** A cell's boundaries: synced when the cell writes (or nobody said what it does), shared with later events when it reads. */
const CELL_BOUNDARIES = new Set(['cell.started', 'cell.finished']);
/** Other events (output, results) are written at once but synced at most this often, or with the next event above. */
const SYNC_INTERVAL_MS = 1000;

/**
 * How the events of a cell are synced: its planned effect, or `write, recorded first`: a
 * write whose executor syncs a record of its own before anything of the cell reaches its
 * target (the SQL executor's `sql.transaction`, in SYNC_TYPES), so the cell's `cell.started`
 * rides on that sync instead of taking one of its own.
 */
export type SyncAs = 'read' | 'write' | 'write, recorded first';

/**
 * Whether the file must be synced right after writing an event (group commit). `effect`
 * is the planned effect of the cell the event belongs to, as the runner passes it; unset,
 * the event is treated as a write's. Every event is written (write(2)) before the run goes
 * on, so a kill -9 loses nothing either way; what a sync adds is surviving a machine crash:
 * - a write's `cell.started` is on disk before its first line runs (with its executor's own
 *   record, when that comes first), and its `cell.finished` before the next cell starts: a
 *   crash never loses the record of a write;
 * - a read's boundaries ride on the next sync (the next write's start, the run's end, or
 *   within a second): a crash can lose the record of a read that finished, which resume runs again;
 * - a decision about a cell whose effect is known rides on that cell's synced `cell.started`,
 *   which comes before any line of it runs (and a decision that runs nothing changes nothing).
 */
export function mustSync(type: string, msSinceLastSync: number, effect?: SyncAs): boolean {
  if (SYNC_TYPES.has(type) || msSinceLastSync >= SYNC_INTERVAL_MS) return true;
  if (type === 'cell.started' && effect === 'write, recorded first') return false;
  if (CELL_BOUNDARIES.has(type)) return effect !== 'read';
  if (type === 'operator.decision') return effect === undefined;
  return false;
}

export interface TranscriptWriterOptions {
  /** Continue an existing transcript's chain (resume). Otherwise the file must be new or empty. */
  append?: boolean;
}

export class TranscriptWriter {
  readonly path: string;
  private fd: number | undefined;
  private readonly lock: TranscriptLock;
  private seq: number;
  private hash: string;
  private run: string | undefined;
  private lastSync = Date.now();
  /** Written (or truncated, on append) since the last sync. */
  private unsynced = true;
  /** The file's length up to its last complete line: where a half-written line is cut back to. */
  private goodBytes: number;
  /** The length at open: a run that fails before its first cell leaves the file as it found it. */
  private readonly openedBytes: number;
  private cellStarted = false;
  private failed?: TranscriptFailure;
  private readonly failureListeners = new Set<(failure: TranscriptFailure) => void>();
  private readonly onExit = () => this.lock.release();

  private constructor(
    path: string,
    fd: number,
    lock: TranscriptLock,
    chain: { lastSeq: number; lastHash: string; runId?: string; bytes: number },
    private readonly made: { file: boolean; dir?: string },
  ) {
    this.path = path;
    this.fd = fd;
    this.lock = lock;
    this.seq = chain.lastSeq;
    this.hash = chain.lastHash;
    this.run = chain.runId;
    this.goodBytes = chain.bytes;
    this.openedBytes = chain.bytes;
    process.on('exit', this.onExit);
  }

  /**
   * Opens (creating parent directories) and locks a transcript. Refuses, with an
   * InputError, a transcript another live process is writing, an existing transcript
   * without `append`, and on `append` a transcript whose chain does not verify.
   */
  static open(path: string, opts: TranscriptWriterOptions = {}): TranscriptWriter {
    try {
      return TranscriptWriter.openLocked(path, opts);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (error instanceof InputError || !code) throw error;
      // A directory that cannot be written, a full disk…: one line, not a stack trace.
      throw new InputError(`cannot write transcript ${path}: ${errorText(error)}; nothing was run — ${remedy(code)}`);
    }
  }

  /**
   * Every refusal `open` would make (in use, already exists, a chain that does not
   * verify), made without writing, locking or truncating anything.
   */
  static check(path: string, opts: TranscriptWriterOptions = {}): void {
    checkNotLocked(path);
    const existing = sizeOf(path);
    if (existing > 0 && !opts.append) {
      throw new InputError(`transcript ${path} already exists; choose another --transcript, or continue it with: runbook resume ${path}`);
    }
    if (existing > 0) continueChain(path);
  }

  private static openLocked(path: string, opts: TranscriptWriterOptions): TranscriptWriter {
    // The first directory this call made, if any: removed again when the open fails.
    const dir = makeDirs(dirname(path));
    let lock: TranscriptLock | undefined;
    let created = false;
    try {
      lock = acquireLock(path);
      const existing = sizeOf(path);
      if (existing > 0 && !opts.append) {
        throw new InputError(`transcript ${path} already exists; choose another --transcript, or continue it with: runbook resume ${path}`);
      }
      const chain = existing > 0 ? continueChain(path) : { lastSeq: -1, lastHash: '', goodBytes: 0, missingNewline: false };
      created = !exists(path);
      // Never through a symbolic link (a planted one could aim the record at ~/.bash_profile), and a new file is made, not found.
      const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | (created ? constants.O_EXCL : 0), 0o644);
      if (existing > chain.goodBytes) ftruncateSync(fd, chain.goodBytes);
      if (chain.missingNewline) writeSync(fd, '\n');
      if (existing === 0) syncDirectory(dirname(path));
      const bytes = chain.goodBytes + (chain.missingNewline ? 1 : 0);
      return new TranscriptWriter(path, fd, lock, { ...chain, bytes }, { file: created, ...(dir ? { dir } : {}) });
    } catch (error) {
      lock?.release();
      leaveNothing(path, { file: created, ...(dir ? { dir } : {}) });
      throw error;
    }
  }

  /** Seq of the last event in the file; -1 for a new transcript. The next event carries lastSeq + 1. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Hash of the last line; `""` for a new transcript. */
  get lastHash(): string {
    return this.hash;
  }

  /** The run id of the transcript (the existing one's, on append). */
  get runId(): string | undefined {
    return this.run;
  }

  /**
   * Appends one event as one line. Its `seq` must follow the last one; `hash` is computed
   * here and returned. A line the file cannot take (a full disk…) is cut back off and
   * throws TranscriptWriteError; so does every later event but one `run.finished`.
   * `effect`: the planned effect of the cell the event belongs to (mustSync).
   */
  write(event: RunEvent, effect?: SyncAs): string {
    if (this.fd === undefined) throw new Error(`transcript ${this.path} is closed; cannot write ${event.type}`);
    if (this.failed && (event.type !== 'run.finished' || this.failed.beforeRun)) throw new TranscriptWriteError(this.failed);
    if (event.seq !== this.seq + 1) {
      throw new Error(`transcript ${this.path}: ${event.type} has seq ${event.seq}, expected ${this.seq + 1}`);
    }
    const { line, hash } = serializeLine(event, this.hash);
    const bytes = Buffer.from(line, 'utf8');
    const now = Date.now();
    const sync = mustSync(event.type, now - this.lastSync, effect);
    try {
      writeWhole(this.fd, bytes);
      if (sync) fdatasyncSync(this.fd);
    } catch (error) {
      // The chain stays whole: the half-written line goes, and the event counts as not written.
      this.cutBack(this.goodBytes);
      throw new TranscriptWriteError(this.fail(this.path, error, `seq ${event.seq} (${event.type}${'cell' in event ? ` of ${event.cell}` : ''})`));
    }
    this.goodBytes += bytes.length;
    if (event.type === 'cell.started') this.cellStarted = true;
    this.seq = event.seq;
    this.hash = hash;
    this.run ??= event.run;
    this.unsynced = !sync;
    if (sync) this.lastSync = now;
    return hash;
  }

  /** The first write that failed, if one did. */
  get failure(): TranscriptFailure | undefined {
    return this.failed;
  }

  /** Called once, at the first failed write (the command cancels the run). */
  onFailure(listener: (failure: TranscriptFailure) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /**
   * Where output past the per-cell cap goes: `<transcript>.<cell>.<attempt>.<stream>.log`
   * beside it (sidecar.ts). A sidecar that cannot be written fails the transcript the same way.
   */
  openSidecar(cell: string, attempt: number, stream: string): SidecarFile {
    const what = `output of ${cell}`;
    if (this.failed) return deadSidecar(sidecarPathFor(this.path, cell, attempt, stream));
    let file: SidecarFile;
    try {
      file = openSidecar(this.path, cell, attempt, stream);
    } catch (error) {
      const path = sidecarPathFor(this.path, cell, attempt, stream);
      this.fail(path, error, what);
      return deadSidecar(path);
    }
    return guardSidecar(file, () => this.failed !== undefined, (error) => this.fail(file.path, error, what));
  }

  /** Flushes, closes and unlocks; never throws for the disk (a failed sync becomes the failure). Safe to call twice. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      if (this.unsynced) fdatasyncSync(fd);
    } catch (error) {
      this.fail(this.path, error, 'the last lines (their sync to disk failed)');
    } finally {
      // A run that never began leaves nothing: a new file goes, a resumed one is cut back to where it was.
      if (this.failed?.beforeRun) this.cutBack(this.openedBytes, fd);
      closeSync(fd);
      if (this.failed?.beforeRun) leaveNothing(this.path, this.made);
      this.lock.release();
      process.off('exit', this.onExit);
    }
  }

  private fail(file: string, error: unknown, lost: string): TranscriptFailure {
    if (this.failed) return this.failed;
    const resumed = !this.made.file;
    this.failed = describeFailure({ file, transcript: this.path, error, lost, beforeRun: !this.cellStarted, resumed });
    for (const listener of this.failureListeners) {
      try {
        listener(this.failed);
      } catch {
        // A listener's own trouble must not hide the failure from the others.
      }
    }
    return this.failed;
  }

  /** Truncating frees space, so it works on a full disk; if even that fails, the reader's torn-line rule still holds. */
  private cutBack(length: number, fd = this.fd): void {
    try {
      if (fd !== undefined) ftruncateSync(fd, length);
    } catch {
      // Left as it is: a trailing partial line is reported as incomplete, never as a broken chain.
    }
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function sizeOf(path: string): number {
  try {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) throw new InputError(`transcript path ${path} is a symbolic link; give the path of the file itself (a run never writes through a link)`);
    if (!stat.isFile()) throw new InputError(`transcript path ${path} is not a regular file`);
    return stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

function continueChain(path: string) {
  const state = scanChainSync(path);
  if (!state.result.ok) {
    throw new InputError(
      `transcript ${path} fails verification at line ${state.result.line} (${state.result.reason}); a tampered transcript cannot be continued`,
    );
  }
  return { ...state, runId: state.firstRun };
}

/** Makes a new file's name durable (its data is synced by fdatasync). Not every platform can open a directory. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open a directory; there the file's own sync is all there is.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A line goes out whole: regular files rarely write short, but if they do the rest follows. */
function writeWhole(fd: number, bytes: Buffer): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

