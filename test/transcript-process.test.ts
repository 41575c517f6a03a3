/**
 * The transcript against real processes: a second writer is refused while the first
 * lives, a dead writer's lock is taken over, and a writer killed with SIGKILL at a
 * random moment leaves a file whose every complete line parses and verifies, with
 * every event it had finished writing present.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lockPathFor, readTranscript, TranscriptWriter, verifyTranscript } from '../src/engine/transcript.js';
import { compileTranscriptModule } from './transcript-build.js';
import { killMoment } from './support/kill-moment.js';

let moduleUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'runbook-transcript-proc-'));

beforeAll(() => {
  moduleUrl = new URL(`file://${compileTranscriptModule()}`).href;
}, 120_000);

/** A child that writes a run: cells with output, each reported on stdout once its cell.finished is written. */
const WRITER_SCRIPT = `
const { TranscriptWriter } = await import(process.env.MODULE_URL);
const writer = TranscriptWriter.open(process.env.TRANSCRIPT, { append: process.env.APPEND === '1' });
let seq = writer.lastSeq;
const run = writer.runId ?? 'run-kill';
const emit = (body) => writer.write({ v: 1, seq: ++seq, ts: new Date().toISOString(), run, ...body });
if (seq < 0) emit({ type: 'run.started', runbook: { path: 'r.md', sha256: '0', title: 'T' }, actor: 'ci', host: 'h', target: { kind: 'none', url: '', name: '' }, mode: 'unattended', argv: [], cells: [] });
process.stdout.write('ready\\n');
for (let n = 0; ; n++) {
  const cell = 'cell-' + n;
  emit({ type: 'cell.started', cell, lang: 'sh', line: n, section: [], source: 'echo ' + n, attempt: 1 });
  for (let k = 0; k < 20; k++) emit({ type: 'cell.output', cell, stream: 'stdout', data: 'x'.repeat(200 + (k * 37) % 300) + '\\n' });
  emit({ type: 'cell.finished', cell, status: 'succeeded', durationMs: 1 });
  process.stdout.write('finished ' + cell + '\\n');
  if (process.env.HOLD === '1') await new Promise(() => setInterval(() => {}, 1000));
}
`;

function startWriter(transcript: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER_SCRIPT], {
    env: { ...process.env, MODULE_URL: moduleUrl, TRANSCRIPT: transcript, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const output = () => ({ stdout, stderr });
  const until = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (stdout.includes(text) ? resolve() : undefined);
      child.stdout.on('data', check);
      child.on('exit', () => reject(new Error(`writer exited before "${text}": ${stderr}`)));
      check();
    });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, output, until, exited };
}

describe('the transcript lock', () => {
  it('refuses a second writer while another process holds the transcript, naming the file and the pid', async () => {
    const path = join(dir, 'held.jsonl');
    const holder = startWriter(path, { HOLD: '1' });
    await holder.until('finished cell-0');
    expect(() => TranscriptWriter.open(path, { append: true })).toThrow(
      new RegExp(`transcript ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by process ${holder.child.pid} `),
    );
    holder.child.kill('SIGKILL');
    await holder.exited;
    // The holder died without unlocking: its lock is stale and is taken over.
    expect(readFileSync(lockPathFor(path), 'utf8')).toContain(String(holder.child.pid));
    const writer = TranscriptWriter.open(path, { append: true });
    expect(writer.runId).toBe('run-kill');
    writer.close();
  });

  it('refuses a second writer in the same process and frees the transcript on close', () => {
    const path = join(dir, 'same.jsonl');
    const first = TranscriptWriter.open(path);
    expect(() => TranscriptWriter.open(path, { append: true })).toThrow(new RegExp(`in use by process ${process.pid}`));
    first.close();
    TranscriptWriter.open(path, { append: true }).close();
  });

  it('takes over a lock left by a process that no longer exists', () => {
    const path = join(dir, 'stale.jsonl');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(lockPathFor(path), `${dead.stdout}\n${(spawnSync('hostname', { encoding: 'utf8' }).stdout || '').trim()}\n`);
    const writer = TranscriptWriter.open(path);
    expect(readFileSync(lockPathFor(path), 'utf8').split('\n')[0]).toBe(String(process.pid));
    writer.close();
  });
});

describe('a writer killed with SIGKILL', () => {
  for (const round of [1, 2, 3]) {
    it(`leaves every complete line parsing and chained, with every finished cell present (round ${round})`, async () => {
      const path = join(dir, `killed-${round}.jsonl`);
      const writer = startWriter(path);
      await writer.until('ready');
      await new Promise((resolve) => setTimeout(resolve, killMoment(20, 220)));
      writer.child.kill('SIGKILL');
      await writer.exited;

      const reported = [...writer.output().stdout.matchAll(/finished (cell-\d+)/g)].map((m) => m[1]);
      const text = readFileSync(path, 'utf8');
      const complete = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').slice(0, -1);
      let previous = '';
      for (const line of complete) {
        const at = line.lastIndexOf(',"hash":"');
        expect(createHash('sha256').update(previous + line.slice(0, at) + '}').digest('hex')).toBe(JSON.parse(line).hash);
        previous = JSON.parse(line).hash;
      }
      expect(await verifyTranscript(path)).toMatchObject({ ok: true, lastSeq: complete.length - 1 });
      const finished = (await readTranscript(path)).events.filter((e) => e.type === 'cell.finished').map((e) => (e as { cell: string }).cell);
      expect(finished).toEqual(expect.arrayContaining(reported));

      // And the run can be continued from there as one verifiable chain.
      const resumed = startWriter(path, { APPEND: '1' });
      await resumed.until('finished cell-1');
      resumed.child.kill('SIGKILL');
      await resumed.exited;
      expect(await verifyTranscript(path)).toMatchObject({ ok: true, runs: ['run-kill'] });
    });
  }
});
