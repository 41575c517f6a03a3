/**
 * The face of the tool: commands, flags, exit codes. Each command lives in
 * src/commands/ and is imported only when called, so `runbook list` never loads Ink.
 */
import { Command, CommanderError, Option } from 'commander';
import { EXIT } from './commands/exit.js';
import { CheckFailedError, InputError } from './engine/errors.js';
import { VERSION } from './version.js';
import { shortMessage } from './renderers/text/message.js';
import { guardOutput } from './commands/output-guard.js';

const collect = (value: string, previous: string[]) => [...previous, value];

type Exit = <A extends unknown[]>(action: (...args: A) => Promise<number | void>) => (...args: A) => Promise<void>;

/**
 * Each command's flags and action, by name. A run names one command, and only that one is
 * defined (commander builds ~70 options and their help otherwise: ~2% of `runbook list`);
 * anything else (`--help`, `help`, a typo to suggest a fix for) defines them all.
 */
const COMMANDS: Record<string, (command: Command, exit: Exit, cli: Command) => void> = {
  list: (command, exit) =>
    command
      .description('show the sections and executable cells of a runbook')
      .argument('<file>', 'Markdown runbook')
      .option('--json', 'one JSON object: the runbook, its cells in document order, sections, checklist')
      .option('--check-commands', "start pwsh to read the programs each PowerShell cell calls (plan.needs), as a run does")
      .action(exit(async (file: string, opts) => (await import('./commands/list.js')).list(file, opts))),

  lint: (command, exit) =>
    command
      .description('check runbooks: SQL syntax, duplicate names, unclosed fences, unknown attributes')
      .argument('<files...>', 'Markdown runbooks')
      .action(exit(async (files: string[]) => (await import('./commands/lint.js')).lint(files))),

  run: (command, exit, cli) =>
    command
      .description('run a runbook step by step (TUI on a terminal, --yes for unattended)')
      .argument('<file>', 'Markdown runbook')
      .option('--db <url>', 'target PostgreSQL URL (default: RUNBOOK_DATABASE_URL, frontmatter, then the sandbox)')
      .option('-y, --yes', 'unattended: run every cell without asking')
      .option('--dry-run', 'show every cell as it would run; execute nothing')
      .option('--rehearse', 'with --dry-run: run every SQL write on the target in a transaction that is rolled back, and say what it would change')
      .option('--var <NAME=VALUE>', 'bind a placeholder or variable (repeatable)', collect, [])
      .option('--var-file <file>', 'bind values from NAME=VALUE lines (repeatable; --var wins): secrets kept off the command line', collect, [])
      .option('--from <id>', 'start at this cell')
      .option('--only <ids>', 'run only these cells (comma-separated)')
      .option('--transcript <path>', 'transcript file (default: ./transcripts/<runbook file name>-<run id>.jsonl, under the current directory; the run id starts with the UTC time)')
      .option('--json', 'NDJSON events on stdout')
      .option('--keep-going', 'unattended: continue after a failed cell')
      .option('--allow-writes', 'unattended: allow write cells against a non-sandbox target')
      .option('--strict', 'a missing interpreter is an error, not a skip')
      .option('--actor <name>', 'who is running this (default: $USER)')
      .option('--detected-at <time>', 'when the incident was detected (ISO 8601, or HH:MM UTC): the timeline\'s clock starts there')
      .option('--sign-key <key>', 'sign the transcript with this SSH private key when the run ends')
      .option('--log <url>', 'also deliver every event to this shared incident log (default: RUNBOOK_LOG_URL, frontmatter log:)')
      .option('--notify <cmd>', 'also write every event as NDJSON to this command\'s stdin (default: frontmatter notify:); never slows or fails the run')
      .option('--notify-on <kinds>', 'with --notify: only these events: all, or a comma list of run, write, failure, escalation')
      .option('--incident <id>', 'the incident the run belongs to in the log (default: RUNBOOK_INCIDENT)')
      .option('--trust-seed', 'run a sandbox seed that reaches outside the database (COPY … PROGRAM, lo_*, dblink) without asking')
      .action(exit(async (file: string, opts) => (await import('./commands/run.js')).run(file, opts, cli.args))),

  resume: (command, exit) =>
    command
      .description('continue a killed or quit run after its last finished cell')
      .argument('<transcript>', 'transcript JSONL file')
      .option('--db <url>', 'the target the run started against (default: RUNBOOK_DATABASE_URL, frontmatter, then the sandbox)')
      .option('-y, --yes', 'unattended')
      .option('--var <NAME=VALUE>', 'bind a variable again (secrets are never stored)', collect, [])
      .option('--var-file <file>', 'bind values from NAME=VALUE lines (repeatable; --var wins): secrets kept off the command line', collect, [])
      .option('--json', 'NDJSON events on stdout')
      .option('--keep-going', 'unattended: continue after a failed cell')
      .option('--allow-writes', 'unattended: allow write cells against a non-sandbox target')
      .option('--rerun-unknown', 'unattended: run again a SQL write whose outcome the server cannot tell (a cell with its own BEGIN/COMMIT, killed)')
      .option('--actor <name>', 'who is running this (default: $USER)')
      .option('--sign-key <key>', 'sign the transcript with this SSH private key when the run ends (an old signature no longer covers it)')
      .option('--log <url>', 'also deliver every event to this shared incident log (default: RUNBOOK_LOG_URL, frontmatter log:)')
      .option('--notify <cmd>', 'also write every event as NDJSON to this command\'s stdin (default: frontmatter notify:); never slows or fails the run')
      .option('--notify-on <kinds>', 'with --notify: only these events: all, or a comma list of run, write, failure, escalation')
      .option('--incident <id>', 'the incident the run belongs to in the log (default: RUNBOOK_INCIDENT)')
      .option('--trust-seed', 'run a sandbox seed that reaches outside the database (COPY … PROGRAM, lo_*, dblink) without asking')
      .action(exit(async (file: string, opts) => (await import('./commands/resume.js')).resume(file, opts))),

  replay: (command, exit) =>
    command
      .description('play a transcript back through the same renderers as a live run')
      .argument('<transcript>', 'transcript JSONL file')
      .option('--speed <n>', 'play faster (2 = twice as fast; 0 = no waiting)', '1')
      .option('--step', 'advance cell by cell with a key')
      .action(exit(async (file: string, opts) => (await import('./commands/replay.js')).replay(file, opts))),

  timeline: (command, exit) =>
    command
      .description('turn a transcript into a postmortem timeline; several transcripts merge into one incident timeline')
      .argument('[transcripts...]', 'transcript JSONL files (every responder\'s run of the incident)')
      .addOption(new Option('--format <format>', 'output format').choices(['md', 'json', 'html', 'cast', 'adhoc']).default('md'))
      .option('--log <url>', 'read the incident from this shared log instead of a file')
      .option('--incident <id>', 'the incident to read (with --log)')
      .action(exit(async (files: string[], opts) => (await import('./commands/timeline.js')).timeline(files, opts))),

  verify: (command, exit) =>
    command
      .description('check a transcript: seq without gaps and an unbroken hash chain (and its signature); or every run of an incident in the shared log')
      .argument('[transcript]', 'transcript JSONL file')
      .option('--allowed-signers <file>', 'also check <transcript>.sig against these keys (ssh-keygen ALLOWED SIGNERS format) and name the signer')
      .option('--log <url>', 'check every run of an incident in this shared log (one line per run)')
      .option('--incident <id>', 'the incident to check (with --log)')
      .option('--transcript <file>', "with --log: compare this transcript with its run's rows, line by line")
      .action(exit(async (file: string | undefined, opts) => (await import('./commands/verify.js')).verify(file, opts))),

  sign: (command, exit) =>
    command
      .description('sign where a transcript ends (its last seq and hash) with an SSH key (ssh-keygen -Y sign -n runbook) into <transcript>.sig')
      .argument('<transcript>', 'transcript JSONL file')
      .option('--key <key>', 'SSH private key, e.g. ~/.ssh/id_ed25519')
      .action(exit(async (file: string, opts) => (await import('./commands/sign.js')).sign(file, opts))),

  log: (command, exit) =>
    command
      .description('the shared incident log: init its schema, push transcripts to it (what a run could not deliver)')
      .argument('<action>', 'push | init')
      .argument('[transcripts...]', 'transcript JSONL files')
      .option('--log <url>', 'the log database (default: RUNBOOK_LOG_URL)')
      .option('--incident <id>', 'the incident the runs belong to (default: RUNBOOK_INCIDENT)')
      .action(exit(async (action: string, files: string[], opts) => (await import('./commands/log.js')).logCommand(action, files, opts))),

  follow: (command, exit) =>
    command
      .description('print every run of an incident live from the shared log (Ctrl-C to stop)')
      .option('--log <url>', 'the log database (default: RUNBOOK_LOG_URL)')
      .option('--incident <id>', 'the incident to follow (default: RUNBOOK_INCIDENT)')
      .option('--json', 'NDJSON: the transcript lines as they arrive')
      .action(exit(async (opts) => (await import('./commands/follow.js')).follow(opts))),

  sandbox: (command, exit) =>
    command
      .description('manage the embedded PostgreSQL sandbox')
      .argument('<action>', 'start | stop | reset | url | status')
      .option('--runbook <file>', 'seed from <runbook>.sandbox.sql beside this runbook', 'runbooks/dragonfly.md')
      .option('--trust-seed', 'run a sandbox seed that reaches outside the database (COPY … PROGRAM, lo_*, dblink) without asking')
      .action(exit(async (action: string, opts) => (await import('./commands/sandbox.js')).sandbox(action, opts))),
};

function program(argv: readonly string[], record: (code: number | void) => void): Command {
  const exit: Exit = (action) => async (...args) => record(await action(...args));
  const cli = new Command('runbook')
    .description('Executable Markdown incident runbooks.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      // One line in the house style: what is wrong, and where to look.
      // One line: commander puts its "(Did you mean --var?)" on a line of its own.
      outputError: (text, write) => write(`${shortMessage({ reason: text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ').replace(/\(Did you mean/, '(did you mean').replace(/\.$/, ''), severity: 'error', fix: 'see runbook --help', exitCode: EXIT.usage })}\n`),
    })
    .showSuggestionAfterError();

  const only = argv[0] !== undefined && Object.hasOwn(COMMANDS, argv[0]) ? argv[0] : undefined;
  for (const [name, define] of Object.entries(COMMANDS)) if (only === undefined || name === only) define(cli.command(name), exit, cli);

  return cli;
}

/** Runs the CLI and resolves to the exit code. Never throws: bad input is one line and 2, a bug one line and 70. */
export async function main(argv: string[]): Promise<number> {
  guardOutput();
  let code: number = EXIT.ok;
  const cli = program(argv, (result) => {
    if (typeof result === 'number') code = result;
  });
  if (argv.length === 0) {
    cli.outputHelp();
    return EXIT.usage;
  }
  try {
    await cli.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof InputError) {
      const exitCode = error instanceof CheckFailedError ? EXIT.failed : EXIT.usage;
      process.stderr.write(`${shortMessage({ reason: error.message, severity: 'error', exitCode })}\n`);
      return exitCode;
    }
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    // Anything else is a bug: one line asking for a report, the stack in a file (exit 70).
    const { reportInternalError } = await import('./commands/internal-error.js');
    return reportInternalError(error, { argv });
  }
  return code;
}
