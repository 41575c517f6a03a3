/**
 * The record tells the whole truth: verify names a record whose run never finished (a
 * tail cut at a line boundary), a splice of another run's lines (re-hashed so the chain
 * holds), and readers name the first line whose fields break the v1 contract.
 * The chain is re-computed here by hand, without importing src/, as any tool could.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './runner-support.js';

const dir = tempDir('runbook-record-');
const runbook = join(dir, 'two.md');
let first: string[];
let second: string[];

/** The lines of a record, re-numbered and re-hashed: what a forger with the format in hand can do. */
function rechain(lines: string[]): string {
  let previous = '';
  return lines
    .map((line, seq) => {
      const event = JSON.parse(line) as Record<string, unknown>;
      delete event.hash;
      event.seq = seq;
      const body = JSON.stringify(event);
      previous = createHash('sha256').update(previous).update(body).digest('hex');
      return `${body.slice(0, -1)},"hash":"${previous}"}\n`;
    })
    .join('');
}

function linesOf(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean);
}

function save(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  writeFileSync(runbook, ['# Two', '', '```sh {name=one}', 'echo one', '```', '', '```sh {name=two}', 'echo two', '```', ''].join('\n'));
  for (const name of ['a.jsonl', 'b.jsonl']) {
    const result = await runCli(['run', runbook, '--yes', '--transcript', join(dir, name)], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
  }
  first = linesOf(join(dir, 'a.jsonl'));
  second = linesOf(join(dir, 'b.jsonl'));
}, 120_000);

describe('verify', () => {
  it('passes a whole record', async () => {
    const result = await runCli(['verify', join(dir, 'a.jsonl')], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
  });

  it('a record cut at a line boundary (head -n -2): "run did not finish", naming the last event, exit 3', async () => {
    const cut = save('cut.jsonl', first.slice(0, -2).map((l) => `${l}\n`).join(''));
    const last = JSON.parse(first.at(-3)!) as { seq: number; type: string; cell?: string; ts: string };
    const result = await runCli(['verify', cut], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`run did not finish: last event seq ${last.seq} (${last.type}${last.cell ? `, ${last.cell}` : ''}) at ${last.ts}`);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('two runs concatenated and re-hashed fail at the first line of the second', async () => {
    const spliced = save('concat.jsonl', rechain([...first, ...second]));
    const result = await runCli(['verify', spliced], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^runbook: .*concat\\.jsonl:${first.length + 1}: a second run\\.started`));
  });

  it("another run's lines spliced into the middle and re-hashed fail at the first foreign line", async () => {
    const foreign = second.filter((l) => l.includes('"cell":"two"'));
    const at = first.findIndex((l) => l.includes('"type":"cell.started"') && l.includes('"cell":"two"'));
    const spliced = save('middle.jsonl', rechain([...first.slice(0, at), ...foreign, ...first.slice(at)]));
    const result = await runCli(['verify', spliced], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`middle\\.jsonl:${at + 1}: run \\S+ is not the run of the lines before`));
  });
});

describe('a correctly chained record with wrong field types', () => {
  it('makes timeline, replay, resume and verify name the first bad line in one line, exit 2', async () => {
    const events = first.map((l) => JSON.parse(l) as Record<string, unknown>);
    events[0]!.runbook = 7;
    const bad = save('typed.jsonl', rechain(events.map((e) => JSON.stringify(e))));
    for (const args of [['timeline', bad], ['replay', bad, '--speed', '0'], ['resume', bad, '--yes'], ['verify', bad]]) {
      const result = await runCli(args, { cwd: dir });
      expect([args[0], result.code]).toEqual([args[0], 2]);
      expect(result.stderr, args[0]).toMatch(/typed\.jsonl:1: run\.started: runbook should be an object, is 7/);
      expect(result.stderr.trim().split('\n'), args[0]).toHaveLength(1);
    }
  });

  it('names a bad field deep in a later line (cell.finished durationMs as text)', async () => {
    const events = first.map((l) => JSON.parse(l) as Record<string, unknown>);
    const index = events.findIndex((e) => e.type === 'cell.finished');
    events[index]!.durationMs = '12';
    const bad = save('deep.jsonl', rechain(events.map((e) => JSON.stringify(e))));
    const result = await runCli(['timeline', bad], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`deep.jsonl:${index + 1}: cell.finished: durationMs should be a number, is "12"`);
  });
});
