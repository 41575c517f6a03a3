/**
 * Workload 11: 20 one-line PowerShell cells, unattended with the transcript, against one
 * `pwsh -File` running the same 20 commands. The engine starts one pwsh session per run
 * (its start-up dominates both sides); the target is at most 2× the script's wall time.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { compare } from '../lib/measure.js';
import { runbook, succeededCells } from '../lib/cli.js';
import { OUT, write, pwshRunbook, pwshScript } from '../lib/generate.js';
import { failedRow, ratioRow } from '../lib/report.js';
import { onPath } from '../../dist/engine/process/which.js';

export const title = 'PowerShell cells';
export const rounds = 5;
const CELLS = 20;

export async function run({ rounds }) {
  const workload = `11 pwsh: ${CELLS} PowerShell cells --yes`;
  if (!onPath('pwsh')) return [failedRow(workload, 'pwsh is not on PATH (dotnet tool install --global PowerShell --version 7.6.9)')];
  const markdown = write(`pwsh-${CELLS}.md`, pwshRunbook(CELLS));
  const script = write(`pwsh-${CELLS}.ps1`, pwshScript(CELLS));
  const transcript = join(OUT, `pwsh-${CELLS}.jsonl`);
  const results = await compare(
    {
      engine: {
        ...runbook(['run', markdown, '--yes', '--transcript', transcript]),
        before: () => rmSync(transcript, { force: true }),
        check: succeededCells(transcript, CELLS),
      },
      pwsh: { command: 'pwsh', args: ['-NoProfile', '-NonInteractive', '-File', script], options: {} },
    },
    rounds,
  );
  // The session's pwsh runs detached (its own process group, reaped by the engine's reaper), so
  // /usr/bin/time, which counts only waited-for children, would leave pwsh's CPU out of the ratio.
  const note = 'CPU ratio not shown: the detached pwsh session is not a waited-for child, so /usr/bin/time does not count its CPU';
  return [ratioRow({ workload, engine: results.engine, baselineLabel: '`pwsh -File`, same 20 commands', baseline: results.pwsh, maxRatio: 1.5, note, cpuUncounted: true })];
}
