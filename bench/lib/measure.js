/**
 * Timing and peak memory of one command, run as a real child process.
 * Every round spawns afresh; nothing is cached between rounds except the OS page cache,
 * which a warm-up round fills for engine and baseline alike.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

// Overridable so the /proc fallback can be exercised on a machine that has GNU time.
const GNU_TIME = process.env.BENCH_GNU_TIME ?? '/usr/bin/time';

/** How peak RSS is measured on this machine, for the report. */
export const hasCpuTime = existsSync(GNU_TIME);
export const rssMethod = existsSync(GNU_TIME)
  ? '/usr/bin/time -f %M (max RSS of the process or its largest descendant)'
  : 'VmHWM of the process from /proc, polled every 10 ms';

/**
 * Runs `command args` once.
 * @param {object} [options]
 * @param {'ignore'|'capture'|string} [options.stdout] where stdout goes: /dev/null (default), captured, or a file
 * @param {boolean} [options.rss] measure peak RSS (kB)
 * @param {NodeJS.ProcessEnv} [options.env]
 * @param {string} [options.cwd]
 * @returns {Promise<{ms: number, code: number|null, signal: string|null, stdout: string, stderr: string, rssKb?: number, cpuMs?: number}>}
 */
export function runOnce(command, args, options = {}) {
  const { stdout = 'ignore', rss = false, env = process.env, cwd } = options;
  let argv = [command, ...args];
  let timeFile;
  if (existsSync(GNU_TIME)) {
    // Also for CPU time (user + sys), which stays meaningful when other work shares the cores.
    timeFile = join(tmpdir(), `bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
    argv = [GNU_TIME, '-f', '%M %U %S', '-o', timeFile, ...argv];
  }
  const outFd = stdout === 'capture' ? 'pipe' : openSync(stdout === 'ignore' ? '/dev/null' : stdout, 'w');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', outFd, 'pipe'], env, cwd });
    if (typeof outFd === 'number') closeSync(outFd);
    const out = [];
    let err = '';
    child.stdout?.on('data', (chunk) => out.push(chunk));
    // Keep only the tail of stderr: it is for the FAILED reason, and a flood must not fill memory.
    child.stderr.on('data', (chunk) => {
      err = (err + chunk.toString()).slice(-4000);
    });
    let hwmKb = 0;
    const poll = rss && !timeFile ? setInterval(() => (hwmKb = Math.max(hwmKb, readHwm(child.pid))), 10) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (poll) clearInterval(poll);
      const result = { ms, code, signal, stdout: Buffer.concat(out).toString(), stderr: err };
      if (timeFile) {
        const text = existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : '';
        rmSync(timeFile, { force: true });
        // GNU time writes "Command exited with non-zero status N" before the numbers on failure.
        const [kb, user, sys] = (text.trim().split('\n').pop() ?? '').split(' ').map(Number);
        if (rss && Number.isFinite(kb)) result.rssKb = kb;
        if (Number.isFinite(user) && Number.isFinite(sys)) result.cpuMs = (user + sys) * 1000;
      } else if (rss) {
        result.rssKb = hwmKb;
      }
      resolve(result);
    });
  });
}

function readHwm(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The failure of a run, in one line, or undefined if it succeeded. */
export function failureOf(result, what) {
  if (result.code === 0) return undefined;
  // The CLI's first stderr line is its one-line reason (or the head of an internal error).
  const why = result.stderr.trim().split('\n').find(Boolean) ?? '';
  const how = result.signal ? `signal ${result.signal}` : `exit ${result.code}`;
  return `${what}: ${how}${why ? ` — ${why.slice(0, 160)}` : ''}`;
}

/**
 * Runs several commands round-robin for `rounds` rounds after one warm-up each, so that
 * engine and baseline share the same minute and the same drift.
 * `commands` maps a name to {command, args, options, check?, before?, budgetMs?, warmup?};
 * `check(result, round)` returns a failure reason or undefined. A command that fails stops
 * being run; its entry has `failed`. A heavy command stops after its measured rounds add up
 * to `budgetMs` (it always gets one), and may skip the warm-up (`warmup: false`).
 * @returns {Promise<Record<string, {ms: number[], cpuMs: number[], rssKb: number[], failed?: string, last?: object}>>}
 */
export async function compare(commands, rounds) {
  const results = Object.fromEntries(Object.keys(commands).map((name) => [name, { ms: [], cpuMs: [], rssKb: [] }]));
  for (let round = -1; round < rounds; round++) {
    for (const [name, spec] of Object.entries(commands)) {
      const entry = results[name];
      if (entry.failed) continue;
      if (round < 0 && spec.warmup === false) continue;
      if (spec.budgetMs !== undefined && entry.ms.reduce((a, b) => a + b, 0) >= spec.budgetMs) continue;
      if (spec.before) await spec.before(round);
      let result;
      try {
        result = await runOnce(spec.command, spec.args, spec.options);
      } catch (error) {
        entry.failed = `${name}: ${error.message}`;
        continue;
      }
      const failure = failureOf(result, name) ?? (spec.check ? await spec.check(result, round) : undefined);
      if (failure) {
        entry.failed = failure;
        continue;
      }
      entry.last = result;
      if (round < 0) continue; // warm-up
      entry.ms.push(result.ms);
      if (result.cpuMs !== undefined) entry.cpuMs.push(result.cpuMs);
      if (result.rssKb !== undefined) entry.rssKb.push(result.rssKb);
    }
  }
  return results;
}
