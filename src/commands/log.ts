/**
 * `runbook log push <transcript>… --log URL --incident ID`: delivers transcripts to the
 * shared log — the rest of a run whose log was down, or a run made without --log.
 * Every file is verified before the first row is sent; pushing twice adds nothing.
 * Exit 0 when every file is in the log; 1 when the log already holds other content for a
 * run (nothing is replaced) or a file fails verification; 2 for bad input or no log.
 */
import { CheckFailedError, InputError } from '../engine/errors.js';
import { EXIT } from './exit.js';
import { requireLog, type LogFlags } from '../engine/log/config.js';
import { closeLog, connectLog, describeLogError } from '../engine/log/connection.js';
import { checkForPush, pushTranscript, type PushResult } from '../engine/log/push.js';
import { ensureSchema } from '../engine/log/schema.js';
import { tooBigText } from '../engine/log/delivery.js';
import { shortMessage } from '../renderers/text/message.js';

export async function logCommand(action: string, files: string[], flags: LogFlags): Promise<number> {
  if (action === 'init') return init(flags);
  if (action !== 'push') throw new InputError(`unknown log action "${action}"; use: runbook log push <transcript>… --log URL --incident ID, or runbook log init --log URL`);
  if (files.length === 0) throw new InputError('runbook log push: name the transcripts to push, e.g. runbook log push transcripts/*.jsonl --log URL --incident ID');
  const log = requireLog(flags);
  const checked = [];
  for (const file of files) checked.push(await checkForPush(file));
  const bad = checked.filter((c) => !c.ok);
  for (const c of bad) {
    if (!c.ok) process.stderr.write(`runbook: ${c.path}:${c.line}: ${c.reason}; a transcript that does not verify is not pushed\n`);
  }
  if (bad.length) return EXIT.failed;

  let client;
  try {
    client = await connectLog(log.url, { applicationName: 'runbook log push' });
    await ensureSchema(client);
  } catch (error) {
    await closeLog(client);
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot reach the log ${log.maskedUrl}: ${describeLogError(error)}; nothing was pushed`);
  }
  let code: number = EXIT.ok;
  try {
    for (const c of checked) {
      if (!c.ok) continue;
      for (const warning of c.warnings) process.stderr.write(`${shortMessage({ file: c.path, severity: 'warning', reason: warning })}\n`);
      const result = await pushTranscript(client, log.incident, c).catch((error: unknown) => {
        throw new CheckFailedError(`${c.path}: the log ${log.maskedUrl} failed: ${describeLogError(error)}; push again to deliver the rest`);
      });
      process.stdout.write(`${summary(result, log.incident)}\n`);
      if (result.tooBig.length) {
        process.stderr.write(`runbook: ${c.path}: ${tooBigText(result.tooBig)}; the log's copy of the run has a gap there\n`);
        code = EXIT.failed;
      }
      if (result.differing.length) {
        process.stderr.write(`runbook: ${differingLine(result, log.incident)}\n`);
        code = EXIT.failed;
      }
    }
  } finally {
    await closeLog(client);
  }
  return code;
}

/** `runbook log init --log URL`: creates the schema as its owner, so responders' roles need only INSERT and SELECT. */
async function init(flags: LogFlags): Promise<number> {
  const url = flags.log ?? process.env.RUNBOOK_LOG_URL;
  const log = requireLog({ log: url, incident: flags.incident ?? 'init' });
  let client;
  try {
    client = await connectLog(log.url, { applicationName: 'runbook log init' });
    await ensureSchema(client);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot create the log's schema in ${log.maskedUrl}: ${describeLogError(error)}`);
  } finally {
    await closeLog(client);
  }
  process.stdout.write(`log: schema runbook with table runbook.events is ready in ${log.maskedUrl}\n`);
  return EXIT.ok;
}

function summary(result: PushResult, incident: string): string {
  const runs = result.runs.length === 1 ? `run ${result.runs[0]}` : `runs ${result.runs.join(', ')}`;
  return `${result.path}: ${result.added} of ${result.events} events added to incident ${incident}, ${result.present} already there (${runs})`;
}

function differingLine(result: PushResult, incident: string): string {
  const first = result.differing[0] as PushResult['differing'][number];
  const elsewhere = result.differing.find((d) => d.incident !== incident);
  const where = elsewhere ? ` (run ${elsewhere.run} is in the log under incident ${elsewhere.incident})` : '';
  return (
    `${result.path}: ${result.differing.length} events are in the log with other content, first run ${first.run} seq ${first.seq}${where}; ` +
    `the log keeps what it has — compare with: runbook verify --log URL --incident ${first.incident} --transcript ${result.path}`
  );
}
