/**
 * Generators for the bench inputs. Everything is written under bench/out/ (gitignored)
 * and is a pure function of its size, so engine and baseline read the same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OUT = join(ROOT, 'bench', 'out');

export function write(name, text) {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, name);
  writeFileSync(path, text);
  return path;
}

const range = (n) => Array.from({ length: n }, (_, i) => i + 1);

/** `n` bash cells `echo step N`, each under its own heading, as the engine and zx read it. */
export function shellRunbook(n) {
  const cells = range(n).map((i) => `## Step ${i}\n\nPrint the step number.\n\n\`\`\`bash\necho step ${i}\n\`\`\`\n`);
  return `# Shell bench (${n} cells)\n\n${cells.join('\n')}`;
}

/** The same commands as one bash script. */
export const bashScript = (n) => `#!/usr/bin/env bash\nset -e\n${range(n).map((i) => `echo step ${i}`).join('\n')}\n`;

/** The same commands, each in its own bash process: the floor for a process per cell. */
export const bashPerProcessScript = (n) =>
  `#!/usr/bin/env bash\nset -e\n${range(n).map((i) => `bash -c 'echo step ${i}'`).join('\n')}\n`;

/** `n` single-statement SQL cells. */
export function sqlRunbook(n) {
  const cells = range(n).map((i) => `## Query ${i}\n\n\`\`\`sql\nSELECT ${i} AS step, now() AS at;\n\`\`\`\n`);
  return `# SQL bench (${n} cells)\n\n${cells.join('\n')}`;
}

/** `n` single-row INSERTs into WRITES_TABLE, one cell each (the table is emptied before every round). */
export const WRITES_TABLE = 'bench_writes';
export function sqlWritesRunbook(n) {
  const cells = range(n).map((i) => `## Insert ${i}\n\n\`\`\`sql\nINSERT INTO ${WRITES_TABLE} (n) VALUES (${i});\n\`\`\`\n`);
  return `# SQL writes bench (${n} cells)\n\n${cells.join('\n')}`;
}
export const sqlWritesScript = (n) => range(n).map((i) => `INSERT INTO ${WRITES_TABLE} (n) VALUES (${i});`).join('\n') + '\n';

/** One `SELECT 1` cell: a run's fixed cost (start-up, plan, preflight, one connection, transcript). */
export const oneCellRunbook = () => '# One cell\n\n```sql\nSELECT 1;\n```\n';

export const sqlScript = (n) => range(n).map((i) => `SELECT ${i} AS step, now() AS at;`).join('\n') + '\n';

export const FLOOD_COMMAND = "head -c 200000000 /dev/zero | tr '\\0' 'x' | fold -w 100";

export const floodRunbook = () => `# Output flood\n\nPrints 200 MB in 100-byte lines.\n\n\`\`\`bash\n${FLOOD_COMMAND}\n\`\`\`\n`;

export const BIG_RESULT_SQL = 'SELECT generate_series(1, 2000000)';
export const BIG_RESULT_ROWS = 2_000_000;

export const bigResultRunbook = () => `# Big result\n\n\`\`\`sql\n${BIG_RESULT_SQL};\n\`\`\`\n`;

/**
 * A runbook of `n` cells shaped like a real one: frontmatter, nested headings with time
 * budgets, prose, lists, tables, attributes in both forms, SQL with comments and
 * placeholders, shell with env references, documentation fences that are not cells.
 */
export function parseRunbook(n) {
  const parts = ['---\ntitle: Parse bench\ndatabase: $BENCH_DB_URL\n---\n', `# Parse bench (${n} cells)\n`];
  for (let i = 1; i <= n; i++) {
    if (i % 50 === 1) parts.push(`## Part ${Math.ceil(i / 50)} (< 5 min)\n\n| check | done |\n|---|---|\n| part ${i} | ☐ |\n`);
    if (i % 5 === 1) parts.push(`### Step ${i}\n\n- [ ] confirm the **symptom** for step ${i}\n- see \`logs\` and [the dashboard](https://example.com/${i})\n`);
    parts.push(`Run this to check item ${i}; it is safe to repeat.\n`);
    switch (i % 4) {
      case 0:
        parts.push(`\`\`\`sql {name=check-${i} timeout=30s}\n-- count stuck jobs\nSELECT count(*) FROM jobs WHERE id > ${i} AND state = 'in_progress';\n\`\`\`\n`);
        break;
      case 1:
        parts.push(`\`\`\`bash\necho "checking ${i}" && test -n "$BENCH_DB_URL"\n\`\`\`\n`);
        break;
      case 2:
        parts.push(`\`\`\`sql {"name":"rollback-${i}","confirm":true}\nUPDATE jobs SET state = 'queued' WHERE sha = <GOOD_SHA> AND id = ${i};\n\`\`\`\n`);
        break;
      default:
        parts.push(`\`\`\`json\n{"doc": ${i}}\n\`\`\`\n\n\`\`\`sh {readonly}\nls -la /tmp | head -n ${i % 10 + 1}\n\`\`\`\n`);
    }
  }
  return parts.join('\n');
}

/** How many executable cells parseRunbook(n) has (the json fences are documentation). */
export const parseRunbookCells = (n) => n;

/**
 * A transcript of exactly `n` events with a valid seq and hash chain, written with the
 * engine's own line format (dist/engine/transcript/format.js) when it is built, so
 * the timeline reads a real transcript. Shaped like a long run: cells with output lines,
 * SQL results, notes and decisions.
 */
export async function transcript(n) {
  if (n < 2) throw new Error('a transcript needs at least run.started and run.finished');
  const serializeLine = await engineSerializer();
  const run = 'bench-run-0001';
  const start = Date.parse('2026-01-01T03:00:00.000Z');
  const lines = [];
  let hash = '';
  let seq = 0;
  const emit = (body) => {
    const event = { v: 1, seq, ts: new Date(start + seq * 37).toISOString(), type: body.type, run, ...body };
    const result = serializeLine.fn(event, hash);
    lines.push(result.line);
    hash = result.hash;
    seq += 1;
  };
  const cellCount = Math.ceil(n / 10);
  const cells = range(cellCount).map((i) => ({ id: `step-${i}`, lang: i % 2 ? 'sql' : 'sh', line: i * 6, section: ['Bench', `Part ${Math.ceil(i / 50)}`] }));
  emit({
    type: 'run.started',
    runbook: { path: 'bench/out/timeline.md', sha256: createHash('sha256').update('bench').digest('hex'), title: 'Timeline bench' },
    actor: 'bench', host: 'bench-host', target: { kind: 'postgres', url: 'postgres://postgres:***@127.0.0.1:5432/postgres', name: 'postgres' },
    mode: 'unattended', argv: ['run', 'bench/out/timeline.md', '--yes'], cells,
  });
  let cell = 0;
  while (seq < n - 1) {
    const c = cells[cell % cells.length];
    cell += 1;
    const room = n - 1 - seq;
    if (room < 3) {
      emit({ type: 'operator.note', text: `note ${seq}`, actor: 'bench' });
      continue;
    }
    emit({ type: 'operator.decision', cell: c.id, action: 'run', actor: 'bench' });
    emit({ type: 'cell.started', cell: c.id, lang: c.lang, line: c.line, section: c.section, source: c.lang === 'sql' ? `SELECT ${cell};` : `echo step ${cell}`, attempt: 1 });
    const body = Math.min(6, n - 1 - seq - 1);
    for (let k = 0; k < body; k++) {
      if (c.lang === 'sql' && k === 0) {
        emit({ type: 'sql.result', cell: c.id, index: 1, statement: `SELECT ${cell}`, command: 'SELECT', columns: ['step'], rows: [[cell]], rowCount: 1, truncated: false });
      } else {
        emit({ type: 'cell.output', cell: c.id, stream: k % 3 === 2 ? 'stderr' : 'stdout', data: `line ${k} of step ${cell}: ${'x'.repeat(40)}\n` });
      }
    }
    if (seq < n - 1) emit({ type: 'cell.finished', cell: c.id, status: cell % 97 === 0 ? 'failed' : 'succeeded', durationMs: 12 + (cell % 40), ...(c.lang === 'sh' ? { exitCode: 0 } : {}) });
  }
  emit({ type: 'run.finished', status: 'succeeded', durationMs: seq * 37, counts: { succeeded: cell } });
  return { text: lines.join(''), serializer: serializeLine.source };
}

async function engineSerializer() {
  try {
    const module = await import(pathToFileURL(join(ROOT, 'dist', 'engine', 'transcript', 'format.js')).href);
    if (typeof module.serializeLine === 'function') return { fn: module.serializeLine, source: 'the engine\'s serializeLine (dist/engine/transcript/format.js)' };
  } catch {
    // Not built yet: fall through to the contract's own rule.
  }
  return { fn: contractLine, source: 'the DESIGN.md v1 rule (engine format module not built)' };
}

/** DESIGN.md transcript v1: hash = sha256hex(previous hash + line text without its hash field). */
function contractLine(event, previousHash) {
  const body = JSON.stringify(event);
  const hash = createHash('sha256').update(previousHash).update(body).digest('hex');
  return { line: `${body.slice(0, -1)},"hash":"${hash}"}\n`, hash };
}

/** `n` one-line PowerShell cells `Write-Output "step N"`, each under its own heading. */
export function pwshRunbook(n) {
  const cells = range(n).map((i) => `## Step ${i}\n\n\`\`\`powershell\nWrite-Output "step ${i}"\n\`\`\`\n`);
  return `# PowerShell bench (${n} cells)\n\n${cells.join('\n')}`;
}

/** The same commands as one PowerShell script, for `pwsh -File`. */
export const pwshScript = (n) => `${range(n).map((i) => `Write-Output "step ${i}"`).join('\n')}\n`;
