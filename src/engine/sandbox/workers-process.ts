/** Starts and stops the detached process that holds the simulated sessions (workers.ts). */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { processIs } from './processes.js';
import type { WorkersConfig, WorkersMessage } from './workers.js';

const SCRIPT_MARKER = 'workers.js';

/**
 * The compiled workers script, dist/engine/sandbox/workers.js under the package root: the
 * same path whether this module runs from src/, from dist/ or from the CLI's bundle
 * (dist/bundle/, which does not carry the workers: they are a program of their own).
 */
function workersScript(): string {
  let root = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  return join(root, 'dist', 'engine', 'sandbox', SCRIPT_MARKER);
}

/** Launches the sessions and resolves with the process id once they are all in place. */
export async function startWorkers(config: WorkersConfig, logFile: string): Promise<number | undefined> {
  if (config.sessions.length === 0) return undefined;
  const script = workersScript();
  if (!existsSync(script)) throw new Error(`sandbox: ${script} is missing; run \`npm run build\``);
  const log = openSync(logFile, 'a', 0o600);
  const child = spawn(process.execPath, [script], {
    detached: true,
    stdio: ['ignore', log, log, 'ipc'],
    env: { ...process.env, RUNBOOK_SANDBOX_WORKERS: JSON.stringify(config) },
  });
  closeSync(log);
  try {
    const message = await new Promise<WorkersMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('sandbox: the simulated sessions did not start within 30 s')), 30_000);
      child.once('message', (m) => {
        clearTimeout(timer);
        resolve(m as WorkersMessage);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sandbox: the simulated sessions' process exited (code ${code}); see ${logFile}`));
      });
    });
    if ('error' in message) throw new Error(`sandbox: simulated sessions failed: ${message.error}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  child.removeAllListeners();
  if (child.connected) child.disconnect();
  child.unref();
  return child.pid;
}

/** Ends the sessions' process if it is still ours and alive. */
export async function stopWorkers(pid: number | undefined): Promise<void> {
  if (!pid || !processIs(pid, SCRIPT_MARKER)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let waited = 0; waited < 5_000 && processIs(pid, SCRIPT_MARKER); waited += 50) await sleep(50);
  if (processIs(pid, SCRIPT_MARKER)) process.kill(pid, 'SIGKILL');
}

export function workersRunning(pid: number | undefined): boolean {
  return pid !== undefined && processIs(pid, SCRIPT_MARKER);
}
