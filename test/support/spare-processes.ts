/**
 * The bash session's processes as the spare tests see them, from Linux's /proc: whether a
 * process still runs, the session's waiting spare, and a CLI stand-in killed with SIGKILL
 * while a spare waits (test/shell-spare*.test.ts).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { procIsZombie } from '../../src/engine/process/proc-posix.js';

/** A process that exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return procIsZombie(pid) === false;
}

/** Whether `pid` has ended within ~3 s. */
export async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 150 && alive(pid); i++) await delay(20);
  return !alive(pid);
}

/** The session's spare: its child running bash on spare.sh, once it is there. */
export async function spareOf(session: number): Promise<number | undefined> {
  for (let i = 0; i < 100; i++) {
    let children: number[] = [];
    try {
      children = readFileSync(`/proc/${session}/task/${session}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return undefined;
    }
    const spare = children.find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('spare.sh');
      } catch {
        return false;
      }
    });
    if (spare !== undefined) return spare;
    await delay(20);
  }
  return undefined;
}

/**
 * A CLI stand-in in a Node process of its own: it runs `sources` one after another through
 * the built shell executor in `cwd` (the last should print `$PPID`, the session's pid), prints
 * the last cell's status and output, and waits. Killed with SIGKILL once a spare waits; says
 * what the session and its spare were and whether both ended.
 */
export async function killedWhileSpareWaits(cwd: string, sources: readonly string[]): Promise<{ status: string | undefined; spare: number | undefined; spareGone: boolean; sessionGone: boolean }> {
  const executor = join(import.meta.dirname, '..', '..', 'dist', 'engine', 'lang', 'sh', 'executor.js');
  const script = `
    const { createShellExecutor } = await import(${JSON.stringify(executor)});
    const shell = createShellExecutor({ lang: 'sh', interpreter: 'bash' });
    let out = '';
    const run = (source) => shell.run({ cell: { id: 'c', lang: 'sh', tag: 'sh', line: 1, sourceLine: 2, column: 1, section: [], prose: '', source, attributes: {}, unknownAttributes: [], placeholders: [], envRefs: [] },
      source, env: { PATH: process.env.PATH }, signal: new AbortController().signal, readOnly: false, cwd: ${JSON.stringify(cwd)}, maxRows: 10,
      emit: (e) => { if (e.type === 'cell.output') out += e.data; } });
    let result;
    for (const source of ${JSON.stringify(sources)}) { out = ''; result = await run(source); }
    process.stdout.write(result.status + ' ' + out);
    setInterval(() => undefined, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let printed = '';
  child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  for (let i = 0; i < 500 && !printed.includes('\n'); i++) await delay(20);
  const [status, session] = printed.trim().split(' ');
  const spare = await spareOf(Number(session));
  child.kill('SIGKILL');
  return { status, spare, spareGone: spare !== undefined && (await gone(spare)), sessionGone: await gone(Number(session)) };
}
