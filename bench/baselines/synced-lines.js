#!/usr/bin/env node
/**
 * The floor of issue #29's durability rules, as a program of its own: append `count` lines of
 * `bytes` bytes to a new file, each followed by fdatasync(2), the calls the transcript writer
 * makes for a write cell's `cell.started` (the gate) and `cell.finished` (before the next
 * cell). Run as a fresh process, so Node's own start is in it too. No engine can run that
 * many write cells durably in less time on this disk.
 *
 *   node bench/baselines/synced-lines.js <file> <count> [bytes]
 */
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';

const [file, countText, bytesText = '250'] = process.argv.slice(2);
const count = Number(countText);
const line = Buffer.from(`${'x'.repeat(Number(bytesText) - 1)}\n`);
const fd = openSync(file, 'wx');
try {
  for (let index = 0; index < count; index += 1) {
    writeSync(fd, line);
    fdatasyncSync(fd);
  }
} finally {
  closeSync(fd);
  rmSync(file);
}
