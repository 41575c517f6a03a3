/**
 * Secrets given as arguments are hidden from the process list as soon as the CLI starts:
 * the values of `--var NAME=VALUE` whose name says secret (TOKEN, PASSWORD, KEY…) and the
 * password of any connection string (`--db`, `--log`); once a runbook is read, the values of
 * variables its frontmatter marks `secret`. What `ps` showed before that instant (and what an
 * `npx` or shell wrapper process keeps showing) is said in the README: the environment and
 * `--var-file` are the ways to pass a secret that never appears there.
 */
import { hideFromCommandLine } from '../engine/process/cmdline-posix.js';
import { isSecretName, urlPasswords } from '../engine/redact.js';

/** The secrets among the arguments as typed. */
export function argumentSecrets(argv: readonly string[]): string[] {
  const secrets: string[] = [];
  argv.forEach((arg, index) => {
    const value = arg === '--var' ? argv[index + 1] : arg.startsWith('--var=') ? arg.slice('--var='.length) : undefined;
    const eq = value?.indexOf('=') ?? -1;
    if (value !== undefined && eq > 0 && isSecretName(value.slice(0, eq))) secrets.push(value.slice(eq + 1));
    secrets.push(...urlPasswords(arg.replace(/^--[a-z-]+=/, '')));
  });
  return secrets.filter((secret) => secret.length > 0);
}

/** The first thing bin/runbook.js does, before the CLI's modules load: the arguments' secrets out of the process list. */
export function hideSecretArguments(argv: readonly string[]): void {
  let secrets: string[];
  try {
    secrets = argumentSecrets(argv);
  } catch {
    // Arguments this cannot read are the parser's to refuse; meanwhile every --var is hidden, whole.
    secrets = argv.flatMap((arg, index) => (argv[index - 1] === '--var' ? [arg] : arg.startsWith('--var=') ? [arg.slice('--var='.length)] : []));
  }
  hideArguments(secrets);
}

/** Masks `secrets` in this process's command line; a failure to is said once, on stderr. */
export function hideArguments(secrets: readonly string[]): void {
  if (secrets.length === 0) return;
  if (hideFromCommandLine(secrets) === 'failed') {
    process.stderr.write('runbook: warning: could not hide secret arguments from the process list (ps); pass secrets in the environment or with --var-file\n');
  }
}
