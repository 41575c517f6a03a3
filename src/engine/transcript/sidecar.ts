/**
 * Sidecar files: a cell's output past the per-cell cap, one file per cell attempt and
 * stream, `<transcript stem>.<cell>.<attempt>.<stream>.log` beside the transcript, inside
 * the hash chain. `cell.output.spilled` opens one; `cell.output.closed` records its byte
 * count and sha256 when the cell ends, and `verify` checks each file against that.
 * The text arrives masked (the runner masks before it cuts between events and file).
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, constants, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { sidecarPathFor } from './paths.js';

export interface SidecarFile {
  /** Absolute (or as given) path of the file. */
  readonly path: string;
  /** The path as the transcript records it: relative to the transcript's directory. */
  readonly recorded: string;
  append(text: string): void;
  /** Syncs and closes; the figures `cell.output.closed` records. */
  close(): { bytes: number; sha256: string };
}

/** Opens a new sidecar; never one that exists (an earlier attempt's output stays as it was). */
export function openSidecar(transcriptPath: string, cell: string, attempt: number, stream: string): SidecarFile {
  let path = sidecarPathFor(transcriptPath, cell, attempt, stream);
  let fd: number | undefined;
  for (let n = 2; fd === undefined; n += 1) {
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n > 100) throw error;
      path = sidecarPathFor(transcriptPath, cell, `${attempt}-${n}`, stream);
    }
  }
  return new OpenSidecar(path, relative(dirname(transcriptPath), path) || path, fd);
}

class OpenSidecar implements SidecarFile {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private fd: number | undefined;

  constructor(
    readonly path: string,
    readonly recorded: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  append(text: string): void {
    if (this.fd === undefined || !text) return;
    const data = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < data.length) written += writeSync(this.fd, data, written, data.length - written);
    this.hash.update(data);
    this.bytes += data.length;
  }

  close(): { bytes: number; sha256: string } {
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      try {
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    return { bytes: this.bytes, sha256: this.hash.copy().digest('hex') };
  }
}

/**
 * A sidecar whose write errors (a full disk) go to `onError` instead of up through the
 * cell's output stream; once the transcript has failed it takes nothing more.
 */
export function guardSidecar(file: SidecarFile, failed: () => boolean, onError: (error: unknown) => void): SidecarFile {
  return {
    path: file.path,
    recorded: file.recorded,
    append: (text) => {
      if (failed()) return;
      try {
        file.append(text);
      } catch (error) {
        onError(error);
      }
    },
    close: () => {
      try {
        return file.close();
      } catch (error) {
        onError(error);
        return { bytes: 0, sha256: '' };
      }
    },
  };
}

/** A sidecar after the transcript failed: takes nothing, so a full disk is not written to again. */
export function deadSidecar(path: string): SidecarFile {
  return { path, recorded: path, append: () => undefined, close: () => ({ bytes: 0, sha256: '' }) };
}

/** A sidecar as the chain records it, with the line of its `cell.output.closed`. */
export interface RecordedSidecar {
  line: number;
  path: string;
  bytes: number;
  sha256: string;
}

/** What openSidecar names a file: `<stem>.<cell>.<attempt>.<stream>.log`, no directory part (see paths.ts). */
const SIDECAR_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*\.(?:stdout|stderr|notice)\.log$/;

/**
 * The first sidecar that is missing or differs from its record, said in one phrase;
 * undefined when all match. A record is a line of the file being checked, so it is not
 * trusted to name a path: only a name the writer would produce, beside the transcript, and
 * only a regular file there (opened without following a link or blocking on a FIFO), is read.
 */
export async function sidecarProblem(transcriptPath: string, sidecar: RecordedSidecar): Promise<string | undefined> {
  if (!SIDECAR_NAME.test(sidecar.path)) return `sidecar ${JSON.stringify(sidecar.path)} is not a name a run gives its sidecar files (<transcript>.<cell>.<attempt>.<stream>.log beside it); the record was written by hand`;
  const file = resolve(dirname(transcriptPath), sidecar.path);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      if (!info.isFile()) return `sidecar ${sidecar.path} is not a regular file`;
      if (info.size !== sidecar.bytes) return `sidecar ${sidecar.path} was changed (${info.size} bytes; the record says ${sidecar.bytes} bytes)`;
      for await (const chunk of handle.createReadStream({ autoClose: false })) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return `sidecar ${sidecar.path} is a symbolic link, not the file the run wrote`;
    return code === 'ENOENT' ? `sidecar ${sidecar.path} is missing` : `sidecar ${sidecar.path} cannot be read: ${(error as Error).message}`;
  }
  const sha256 = hash.digest('hex');
  if (sha256 === sidecar.sha256 && bytes === sidecar.bytes) return undefined;
  return `sidecar ${sidecar.path} was changed (${bytes} bytes, sha256 ${sha256.slice(0, 12)}…; the record says ${sidecar.bytes} bytes, sha256 ${sidecar.sha256.slice(0, 12)}…)`;
}
