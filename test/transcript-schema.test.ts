/**
 * schema/transcript.v1.json, the published contract: it is what `npm run schema` generates
 * from the readers' schema, and an independent JSON Schema validator (ajv) accepts every
 * transcript the fixtures and real runs (sh, SQL on a real PostgreSQL, a failing cell,
 * notes, a dry run) write, and agrees with the readers' own check on broken events.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRunbook } from '../src/engine/parse.js';
import { Runner } from '../src/engine/runner.js';
import { TranscriptWriter } from '../src/engine/transcript.js';
import { contractProblem } from '../src/engine/transcript/contract.js';
import { freshDatabase } from './support/database.js';
import { fixture, noTarget, runCli, scriptedOperator, tempDir } from './runner-support.js';
import { dragonflyRun, RunBuilder } from './transcript-fixtures.js';

const ROOT = resolve(import.meta.dirname, '..');
const SCHEMA_FILE = join(ROOT, 'schema/transcript.v1.json');
const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);

function lines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Each event the JSON Schema refuses, with ajv's reasons: `[]` when all pass. */
function refused(events: object[]): string[] {
  return events.flatMap((event, index) =>
    validate(event) ? [] : [`${index} ${(event as { type?: string }).type}: ${ajv.errorsText(validate.errors)}`],
  );
}

const written: Record<string, Record<string, unknown>[]> = {};

beforeAll(async () => {
  const dir = tempDir('runbook-schema-');
  const db = await freshDatabase('schema');
  const cli = async (name: string, args: string[]) => {
    const transcript = join(dir, `${name}.jsonl`);
    await runCli([...args, '--transcript', transcript]);
    written[name] = lines(transcript);
  };
  // SQL and sh on a real PostgreSQL, stopping at a failing cell; then the same past it; a dry run; shell only.
  await cli('sql-sh-failing', ['run', fixture('ops-drill.md'), '--yes', '--allow-writes', '--db', db]);
  await cli('keep-going', ['run', fixture('ops-drill.md'), '--yes', '--allow-writes', '--keep-going', '--db', await freshDatabase('schema')]);
  await cli('dry-run', ['run', fixture('ops-drill.md'), '--dry-run', '--db', db]);
  await cli('shell', ['run', fixture('tolerant.md'), '--yes']);
  // Notes, a tick-free edit and a skip: written by the runner the console drives.
  const path = join(dir, 'notes.jsonl');
  const transcript = TranscriptWriter.open(path);
  const runbook = parseRunbook('# Notes\n\n## One\n\n```sh {name=one}\necho one\n```\n\n## Two\n\n```sh {name=two}\nexit 3\n```\n', 'notes.md');
  const operator = scriptedOperator((context) => {
    runner.note(`looking at ${context.cell.id}`, context.cell.id);
    if (context.cell.id === 'one' && context.attempts === 0 && context.source === 'echo one') return { action: 'edit', source: 'echo edited' };
    return context.attempts === 0 ? { action: 'run' } : { action: 'next' };
  });
  const runner = new Runner({ runbook, operator, target: noTarget, mode: 'interactive', variables: [], actor: 'tester', argv: [], transcript });
  runner.note('incident opened');
  await runner.run();
  transcript.close();
  written.notes = lines(path);
}, 180_000);

describe('schema/transcript.v1.json', () => {
  it('is what `npm run schema` generates from the readers\' schema (run it after changing schema.ts)', () => {
    const generated = execFileSync(process.execPath, [join(ROOT, 'scripts/transcript-schema.mjs'), '--stdout'], { cwd: ROOT, encoding: 'utf8' });
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(generated);
  });

  it('accepts every transcript real runs write: sh, SQL, a failing cell, --keep-going, a dry run, notes and an edit', () => {
    const types = new Set(Object.values(written).flat().map((event) => event.type));
    expect([...types].sort()).toEqual(expect.arrayContaining([
      'cell.finished', 'cell.output', 'cell.started', 'operator.decision', 'operator.note', 'run.finished', 'run.preflight', 'run.started', 'sql.result', 'sql.transaction',
    ]));
    expect(Object.values(written).flat().some((event) => event.type === 'cell.finished' && event.status === 'failed')).toBe(true);
    for (const [name, events] of Object.entries(written)) {
      expect(events.length, name).toBeGreaterThan(2);
      expect(refused(events), name).toEqual([]);
    }
  });

  it('accepts the test suite\'s fixture transcripts', () => {
    const runs = [
      dragonflyRun().finished('failed').events,
      new RunBuilder().started({ cells: [], kind: 'postgres' }).note('a | b').finished('succeeded').events,
      new RunBuilder('r2').started({ cells: [], kind: 'none', mode: 'dry-run' }).finished('succeeded').events,
    ];
    for (const events of runs) expect(refused(events)).toEqual([]);
  });

  it('is additive: an unknown field or an unknown event type passes; a known field of the wrong kind does not', () => {
    const [started] = written['shell']!;
    expect(refused([{ ...started, addedLater: { any: 'thing' } }])).toEqual([]);
    expect(refused([{ v: 1, seq: 9, ts: '2026-01-02T03:04:05.123Z', type: 'cell.flamegraph', run: 'r', svg: '<svg/>' }])).toEqual([]);
    expect(refused([{ ...started, mode: 'yolo' }])).toHaveLength(1);
    expect(refused([{ ...started, ts: '2026-01-02 03:04' }])).toHaveLength(1);
  });

  it('and the readers\' check agree on every event, broken or not (two validators, one schema)', () => {
    const events = Object.values(written).flat();
    const value = fc.oneof(
      fc.constant(undefined), fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string(), fc.constantFrom('succeeded', 'run', 'stdout', 'sql', 'postgres', 'unattended', '2026-01-02T03:04:05.123Z'),
      fc.constant([]), fc.constant({}), fc.constant([['x']]), fc.constant(['a', 'b']),
    );
    fc.assert(
      fc.property(fc.nat(events.length - 1), fc.nat(), value, (index, pick, replacement) => {
        const event = structuredClone(events[index]!);
        // Replace (or delete) one field, one level down when it is an object.
        const keys = Object.keys(event);
        const key = keys[pick % keys.length]!;
        const inner = event[key];
        if (inner && typeof inner === 'object' && !Array.isArray(inner) && Object.keys(inner).length && pick % 2) {
          const innerKeys = Object.keys(inner);
          (inner as Record<string, unknown>)[innerKeys[pick % innerKeys.length]!] = replacement;
        } else event[key] = replacement;
        const roundTripped = JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
        const reader = contractProblem(roundTripped);
        expect({ event: roundTripped, ajv: validate(roundTripped), reader }).toEqual({ event: roundTripped, ajv: reader === undefined, reader });
      }),
      { numRuns: 2_000 },
    );
  });
});
