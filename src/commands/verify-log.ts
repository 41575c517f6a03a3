/**
 * `runbook verify --log URL --incident ID [--transcript FILE]`: one line per run of the
 * incident, in the same form as for a file; with a transcript, its run's rows compared
 * with the file line by line. Exit 0 all good; 1 a broken chain, a gap, rows that differ
 * from the file or are missing from the log; 2 bad input or an unreachable log; 3 a run
 * whose rows stop before its run.finished (still going, killed, or not all delivered).
 */
import { EXIT } from './exit.js';
import { requireLog, type LogFlags, type LogTarget } from '../engine/log/config.js';
import { readLogRuns, type LogRun } from '../engine/log/reader.js';
import { compareWithFile } from '../engine/log/verify.js';
import { verifyTranscript } from '../engine/transcript.js';

export interface VerifyLogFlags extends LogFlags {
  transcript?: string;
}

export async function verifyLog(flags: VerifyLogFlags): Promise<number> {
  const target = requireLog(flags);
  const local = flags.transcript ? await verifyTranscript(flags.transcript) : undefined;
  if (flags.transcript && local && !local.ok) {
    process.stderr.write(`runbook: ${flags.transcript}:${local.line}: ${local.reason}; compare a transcript that verifies\n`);
    return EXIT.failed;
  }
  const runs = new Map((await readLogRuns(target)).map((r) => [r.run, r]));
  const label = `log ${target.incident}`;
  if (runs.size === 0) {
    process.stderr.write(`runbook: ${label}: no events of incident ${target.incident} in ${target.maskedUrl}\n`);
    return EXIT.failed;
  }
  let code: number = EXIT.ok;
  for (const { run, check } of runs.values()) {
    if (check.result.ok && check.result.unfinished) {
      const { seq, type, cell, ts } = check.result.unfinished;
      process.stderr.write(
        `runbook: ${label}: run ${run} did not finish: last event seq ${seq} (${type}${cell ? `, ${cell}` : ''}) at ${ts}; ` +
          `the chain is intact up to there, but the run is still going, was killed, or has not delivered the rest (runbook log push)\n`,
      );
      code = Math.max(code, EXIT.incomplete);
    } else if (check.result.ok) {
      const { events, lastSeq } = check.result;
      process.stdout.write(`${label}: ok, ${events} events (seq 0-${lastSeq}), hash chain intact, run ${run}\n`);
    } else {
      process.stderr.write(`runbook: ${label}: run ${run}, seq ${check.seq}: ${check.result.reason}\n`);
      code = EXIT.failed;
    }
  }
  if (flags.transcript && local?.ok) code = Math.max(code, await compare(flags.transcript, local.runs, runs, target));
  return code;
}

async function compare(file: string, fileRuns: string[], runs: Map<string, LogRun>, target: LogTarget): Promise<number> {
  const run = fileRuns[0] as string;
  const rows = runs.get(run)?.rows ?? [];
  const result = await compareWithFile(file, rows);
  const push = `runbook log push ${file} --log '${target.maskedUrl}' --incident ${target.incident}`;
  switch (result.kind) {
    case 'same':
      process.stdout.write(`${file}: the log has all ${result.events} events of run ${run}, line for line\n`);
      return EXIT.ok;
    case 'missing':
      process.stderr.write(
        `runbook: ${file}: the log has ${result.present} of ${result.events} events of run ${run}; missing seq ${result.from}-${result.to}: deliver them with: ${push}\n`,
      );
      return EXIT.failed;
    case 'extra':
      process.stderr.write(`runbook: ${file}: the log has events of run ${run} past the file's end (seq ${result.from}-${result.to}); the file was cut short, or the run went on elsewhere\n`);
      return EXIT.failed;
    case 'differs':
      process.stderr.write(`runbook: ${file}:${result.line}: differs from the log's row for run ${run} seq ${result.seq}; one of the two was altered\n`);
      return EXIT.failed;
  }
}
