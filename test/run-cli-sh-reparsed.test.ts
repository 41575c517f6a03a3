/**
 * A value that bash or another interpreter parses again runs as code however it is quoted
 * for this shell: array subscripts bash evaluates, `eval`, `bash -c`, `trap`, awk programs,
 * `ssh host "…"`, `su -c`, `find -exec sh -c`, and unquoted heredocs read by psql or bash.
 * The run refuses them before anything runs (exit 2, the marker an injected command would
 * create never appears) with the safe form, and lint reports them; the safe forms run.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLines, runCli, tempDir } from './runner-support.js';

const MARKER = join(tempDir('runbook-sh-reparsed-'), 'pwned');
const HOSTILE = `a[$(touch ${MARKER})]$(touch ${MARKER})'; touch ${MARKER}; '"; touch ${MARKER}; "`;

function runbookWith(source: string): string {
  const file = join(tempDir(), 'sh.md');
  writeFileSync(file, `# Shell\n\n## Step\n\n\`\`\`sh {name=step}\n${source}\n\`\`\`\n`);
  return file;
}

async function run(source: string, value = HOSTILE) {
  rmSync(MARKER, { force: true });
  const transcript = join(tempDir(), 't.jsonl');
  const result = await runCli(['run', runbookWith(source), '--yes', '--allow-writes', '--var', `X=${value}`, '--transcript', transcript], { env: { ...process.env, PSQL_PAGER: '' } });
  const started = existsSync(transcript) ? parseLines(readFileSync(transcript, 'utf8')).filter((e) => e.type === 'cell.started') : [];
  return { ...result, started };
}

describe('placeholders bash evaluates or another interpreter parses again', () => {
  it.each([
    ['declare -a subscript', 'declare -a a=([<X>]=v); echo "${a[@]}"', 'shell arithmetic'],
    ['compound assignment subscript', 'a=([<X>]=v); echo "${a[@]}"', 'shell arithmetic'],
    ['unset "a[…]"', 'a=(1 2); unset "a[<X>]"', 'shell arithmetic'],
    ["unset 'a[…]'", "a=(1 2); unset 'a[<X>]'", 'shell arithmetic'],
    ['printf -v "a[…]"', 'printf -v "a[<X>]" %s v', 'shell arithmetic'],
    ['eval', 'eval "echo <X>"', 'eval, which parses its arguments again as shell code'],
    ['bash -c', 'bash -c "echo <X>"', 'the program text of bash -c'],
    ['sh -c in single quotes', "sh -c 'echo <X>'", 'the program text of sh -c'],
    ['trap', "trap 'echo <X>' EXIT", 'the action of trap'],
    ['awk program', "echo x | awk '{ print \"<X>\" }'", "awk's program text"],
    ['ssh host "…"', 'ssh -o BatchMode=yes -p 2 nowhere.invalid "ls <X>"', 'the command ssh sends to the remote shell'],
    ['su -c', 'su -c "ls <X>" nobody', 'the program text of su -c'],
    ['find -exec sh -c', "find . -maxdepth 0 -exec sh -c 'echo <X>' {} \\;", 'the program text of sh -c'],
    ['an unquoted heredoc read by bash', 'bash <<EOF\necho <X>\nEOF', 'an unquoted heredoc (<<EOF) read by bash'],
    ['an unquoted heredoc piped to sh', 'cat <<EOF | sh\necho <X>\nEOF', 'an unquoted heredoc (<<EOF) read by sh'],
    ['an unquoted heredoc read by psql', "psql \"$DATABASE_URL\" <<EOF\nSELECT '<X>';\nEOF", 'an unquoted heredoc (<<EOF) read by psql'],
    ['a here-string read by bash', 'bash <<< "echo <X>"', 'a here-string read by bash'],
  ])('%s: refused before the run (exit 2), nothing ran', async (_what, source, where) => {
    const result = await run(source);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain(where);
    expect(result.started).toEqual([]);
    expect(existsSync(MARKER)).toBe(false);
  });

  it('each refusal says the safe form', async () => {
    expect((await run('bash -c "echo <X>"')).stderr).toContain(`bash -c '… "$1" …' _ "<X>"`);
    expect((await run("psql \"$DATABASE_URL\" <<EOF\nSELECT '<X>';\nEOF")).stderr).toContain(`psql -v x="$RUNBOOK_VAR_X" <<'EOF' … :'x' … EOF`);
    expect((await run('ssh h "ls <X>"')).stderr).toContain(`printf '%s\\n' "<X>" | ssh host 'IFS= read -r v; … "$v" …'`);
  });

  it('an integer subscript still binds, and the safe forms run with the hostile value as data', async () => {
    expect((await run('a=([<X>]=v); unset "a[<X>]"; printf -v "a[<X>]" %s w; echo "${a[@]}"', '3')).code).toBe(0);
    const safe = await run([
      `bash -c 'printf "%s\\n" "$1"' _ "<X>"`,
      `awk -v v="<X>" 'BEGIN { print length(v) > 0 }'`,
      "cat <<EOF\n<X>\nEOF",
      `trap 'echo "$RUNBOOK_VAR_X" >/dev/null' EXIT`,
    ].join('\n'));
    expect(safe.code, safe.stdout + safe.stderr).toBe(0);
    expect(safe.stdout).toContain(HOSTILE);
    expect(existsSync(MARKER)).toBe(false);
  });

  it('lint: an error at the placeholder, for a run that would refuse it', async () => {
    const file = runbookWith('echo ok\nbash -c "echo <X>"');
    const result = await runCli(['lint', file]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toContain(`${file}:7:15: error: cell step: <X> at line 2 of the cell sits in the program text of bash -c`);
    expect(result.stdout).toContain('(placeholder-reparsed)');
  });
});
