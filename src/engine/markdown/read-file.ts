/**
 * Reading a runbook from disk, with one clear line for each way the input can be wrong.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../errors.js';

/** A runbook is prose and a few dozen cells; anything bigger is not one (and would be read whole). */
export const MAX_RUNBOOK_BYTES = 16 * 1024 * 1024;

/**
 * The file's text, exactly as stored (a BOM is kept so the sha256 matches the bytes). Only
 * a regular file of at most MAX_RUNBOOK_BYTES: `/dev/zero` never ends and a FIFO blocks,
 * so the file is opened without blocking and judged by fstat before a byte is read.
 */
export async function readRunbookText(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      if (info.isDirectory()) throw new InputError(`${path} is a directory; give the path of a Markdown runbook, e.g. runbooks/dragonfly.md`);
      if (!info.isFile()) throw new InputError(`${path} is not a regular file (a device, FIFO or socket); give the path of a Markdown runbook`);
      if (info.size > MAX_RUNBOOK_BYTES) throw new InputError(`${path} is ${info.size} bytes, more than a runbook's limit of ${MAX_RUNBOOK_BYTES} (16 MiB); give a Markdown runbook`);
      bytes = await handle.readFile();
      if (bytes.length > MAX_RUNBOOK_BYTES) throw new InputError(`${path} grew past a runbook's limit of ${MAX_RUNBOOK_BYTES} bytes while it was read; give a Markdown runbook`);
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file; check the path (looked for ${resolve(path)})`);
    if (code === 'EACCES' || code === 'EPERM') throw new InputError(`${path}: permission denied; make the file readable`);
    throw new InputError(`${path}: cannot read (${code ?? (error as Error).message})`);
  }
  if (bytes.length === 0 || /^\s*$/.test(bytes.toString('latin1'))) {
    throw new InputError(`${path} is empty; a runbook is Markdown with sql/powershell/sh code fences`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new InputError(`${path} looks binary (NUL byte at offset ${nul}); give a Markdown text file`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InputError(`${path} is not valid UTF-8 text (at byte ${firstInvalidUtf8(bytes)}); save it as UTF-8`);
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Buffer): number {
  for (let at = 0; at < bytes.length;) {
    const lead = bytes[at]!;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead >= 0xf0 && lead < 0xf5 ? 4 : 0;
    if (length === 0) return at;
    for (let next = 1; next < length; next += 1) {
      if (((bytes[at + next] ?? 0) & 0xc0) !== 0x80) return at;
    }
    try {
      // Overlong forms and surrogates have the right shape but are still not UTF-8.
      if (length > 2) new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at, at + length));
    } catch {
      return at;
    }
    at += length;
  }
  return bytes.length;
}
