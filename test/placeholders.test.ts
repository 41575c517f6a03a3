import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as placeholders from '../src/engine/placeholders.js';
import { bindPlaceholders, envNames, quoteLiteral } from '../src/engine/placeholders.js';
import { InputError } from '../src/engine/errors.js';

describe('placeholders: exports', () => {
  it('exposes the binding API', () => {
    expect(Object.keys(placeholders).sort()).toEqual(['VALUE_PREFIX', 'bindCellPlaceholders', 'bindPlaceholders', 'envNames', 'quoteLiteral']);
  });
});

describe('placeholders: SQL', () => {
  const bind = (source: string, values: Record<string, string>) =>
    bindPlaceholders('sql', source, Object.keys(values), values).source;

  it('turns a bare placeholder into a quoted literal', () => {
    expect(bind('SELECT * FROM deploys WHERE sha = <GOOD_SHA>', { GOOD_SHA: 'abc123' })).toBe("SELECT * FROM deploys WHERE sha = 'abc123'");
  });

  it("replaces '<NAME>' including its quotes", () => {
    expect(bind("SELECT '<GOOD_SHA>'", { GOOD_SHA: "x'; DROP TABLE t; --" })).toBe("SELECT 'x''; DROP TABLE t; --'");
  });

  it('follows escapeLiteral for backslashes', () => {
    expect(quoteLiteral("a\\b'c")).toBe("E'a\\\\b''c'");
    expect(bind('SELECT <V>', { V: 'a\\b' })).toBe("SELECT E'a\\\\b'");
  });

  it('escapes a value inside a longer string, switching to E-strings for backslashes', () => {
    expect(bind("SELECT INTERVAL '<N> minutes'", { N: '15' })).toBe("SELECT INTERVAL '15 minutes'");
    expect(bind("SELECT 'it''s <N>'", { N: "o'k" })).toBe("SELECT 'it''s o''k'");
    expect(bind("SELECT 'c:\\dir <N>'", { N: 'a\\b' })).toBe("SELECT E'c:\\\\dir a\\\\b'");
    expect(bind("SELECT E'tab\\t<N>'", { N: "\\'" })).toBe("SELECT E'tab\\t\\\\'''");
  });

  it('doubles quotes inside quoted identifiers', () => {
    expect(bind('SELECT * FROM "<T>"', { T: 'we"ird' })).toBe('SELECT * FROM "we""ird"');
  });

  it('leaves comments alone, so a newline in a value cannot end a -- comment', () => {
    const source = '-- rollback to <SHA>\nSELECT <SHA> /* <SHA> */';
    expect(bind(source, { SHA: "x\nDROP TABLE t; '" })).toBe("-- rollback to <SHA>\nSELECT 'x\nDROP TABLE t; ''' /* <SHA> */");
  });

  it('refuses a placeholder in a dollar-quoted body or a query string, which the server parses again', () => {
    for (const source of ["DO $$ BEGIN PERFORM set_config('app.sha', <SHA>, false); END $$", "DO $body$ BEGIN EXECUTE 'SELECT ''<SHA>'''; END $body$", 'SELECT $$a-<SHA>$$', "SELECT query_to_xml('SELECT <SHA>', true, true, '')", "SELECT dblink('conn', E'SELECT <SHA>')"]) {
      expect(() => bind(source, { SHA: 'abc' }), source).toThrow(/<SHA> at line 1 of the cell sits in .*parses again as SQL.*current_setting\('runbook\.sha'\)/);
    }
    expect(bind("SELECT ts_stat_like('<SHA>'), $$ no placeholder $$", { SHA: 'abc' })).toBe("SELECT ts_stat_like('abc'), $$ no placeholder $$");
  });

  it('does not treat positional parameters or identifiers with $ as dollar quotes', () => {
    expect(bind('SELECT $1, a$b, <X>', { X: 'v' })).toBe("SELECT $1, a$b, 'v'");
  });

  it('leaves placeholders it was not given and refuses one without a value', () => {
    expect(bindPlaceholders('sql', 'SELECT <A>, <B>', ['A'], { A: '1' }).source).toBe("SELECT '1', <B>");
    expect(() => bindPlaceholders('sql', 'SELECT <A>', ['A'], {})).toThrow(/no value for placeholder <A>/);
  });

  it('returns no environment for SQL', () => {
    expect(bindPlaceholders('sql', 'SELECT <A>', ['A'], { A: '1' }).env).toEqual({});
  });
});

/** Runs a bound sh source in a real bash and returns its stdout. */
function runBash(source: string, env: Record<string, string>): string {
  return execFileSync('bash', ['--norc', '--noprofile', '-c', source], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
}

describe('placeholders: sh', () => {
  const hostile = `$(touch /tmp/never); \`id\` "q" 'x' * \\ ; x`;

  it('rewrites placeholders into quoted references and puts values in env', () => {
    const bound = bindPlaceholders('sh', 'railway deploy --commit <GOOD_SHA>', ['GOOD_SHA'], { GOOD_SHA: 'abc' });
    expect(bound).toEqual({ source: 'railway deploy --commit "${RUNBOOK_VAR_GOOD_SHA}"', env: { RUNBOOK_VAR_GOOD_SHA: 'abc' } });
  });

  it.each([
    ['code', 'printf "%s" <V>'],
    ['double quotes', 'printf "%s" "value=<V>"'],
    ['single quotes', "printf '%s' 'value=<V>!'"],
    ['ANSI-C quotes', "printf '%s' $'value=<V>\\n'"],
    ['command substitution', 'printf "%s" "$(printf "%s" <V>)"'],
    ['unquoted heredoc', 'cat <<EOF\n<V>\nEOF'],
  ])('the value arrives as data in %s', (_where, source) => {
    const bound = bindPlaceholders('sh', source, ['V'], { V: hostile });
    const output = runBash(bound.source, bound.env);
    expect(output).toContain(hostile);
  });

  it('keeps a value with spaces as one word', () => {
    const bound = bindPlaceholders('sh', 'printf "[%s]" <V>', ['V'], { V: 'a b  c' });
    expect(runBash(bound.source, bound.env)).toBe('[a b  c]');
  });

  it('keeps the text around a placeholder in a single-quoted string', () => {
    const bound = bindPlaceholders('sh', "echo 'a $HOME <V> b'", ['V'], { V: 'v' });
    expect(bound.source).toBe(`echo 'a $HOME '"\${RUNBOOK_VAR_V}"' b'`);
    expect(runBash(bound.source, bound.env)).toBe('a $HOME v b\n');
  });

  it('leaves comments and escaped brackets alone', () => {
    expect(bindPlaceholders('sh', 'echo hi # uses <V>\necho \\<V>', ['V'], { V: 'v' }).source).toBe('echo hi # uses <V>\necho \\<V>');
  });

  it('refuses a placeholder in a quoted heredoc, which no variable can reach', () => {
    expect(() => bindPlaceholders('sh', "cat <<'EOF'\n<V>\nEOF\n", ['V'], { V: 'v' })).toThrow(/quoted heredoc/);
  });

  it.each([
    ['$((…))', 'echo $((<N> + 1))'],
    ['((…))', '((<N> > 1)) && echo yes'],
    ['$[…]', 'echo $[<N>]'],
    ['[[ -gt ]]', 'if [[ <N> -gt 10 ]]; then echo big; fi'],
    ['[[ -gt ]] with a quoted word', '[[ "x <N>" -gt 1 ]] || true'],
    ['let', 'let n=<N>+1'],
    ['declare -i', 'declare -i n=<N>'],
    ['an integer variable', 'declare -i n; n=<N>'],
    ['an array subscript', 'a[<N>]=1'],
    ['an expansion subscript', 'a=(1); echo ${a[<N>]}'],
    ['a slice', 's=abc; echo ${s:<N>:1}'],
    ['a command substitution inside arithmetic', 'echo $(( $(echo <N>) + 1 ))'],
    ['an unquoted heredoc', 'cat <<EOF\n$((<N> * 2))\nEOF'],
  ])('takes only an integer in arithmetic: %s', (_where, source) => {
    const hostileIndex = 'a[$(touch /tmp/runbook-never-arith)]';
    expect(() => bindPlaceholders('sh', source, ['N'], { N: hostileIndex })).toThrow(/<N> at line \d+ of the cell is used in shell arithmetic.*integer only/);
    expect(() => bindPlaceholders('sh', source, ['N'], { N: '01' })).toThrow(InputError);
    const bound = bindPlaceholders('sh', source, ['N'], { N: '3' });
    expect(bound.source).not.toContain('<N>');
    expect(bound.source).not.toContain('RUNBOOK_VAR_N}');
    runBash(bound.source, bound.env);
  });

  it('writes a negative integer in parentheses, so 1-<N> stays a subtraction', () => {
    const bound = bindPlaceholders('sh', 'echo $((1-<N>))', ['N'], { N: '-3' });
    expect(runBash(bound.source, bound.env)).toBe('4\n');
  });

  it.each([
    ['a shift', 'mask=$((1<<4))\nprintf "[%s]" <V>'],
    ['an arithmetic shift-assign', 'x=1; ((x <<= 2))\nprintf "[%s]" <V>'],
    ['a here-string', 'cat <<<"x"\nprintf "[%s]" <V>'],
  ])('does not take %s for a heredoc', (_what, source) => {
    const bound = bindPlaceholders('sh', source, ['V'], { V: 'old logs *' });
    expect(runBash(bound.source, bound.env).endsWith('[old logs *]')).toBe(true);
  });

  it('follows heredocs nested in compound commands, <<- tab stripping and quoted delimiters', () => {
    const source = 'if true; then\n\tcat <<-"E" ; cat <<F\n\t<X> $(echo $HOME)\n\tE\n<V>\nF\nfi\necho <V>';
    expect(() => bindPlaceholders('sh', source, ['V', 'X'], { V: 'v', X: 'x' })).toThrow(/quoted heredoc/);
    const bound = bindPlaceholders('sh', source, ['V'], { V: 'a b' });
    expect(runBash(bound.source, { ...bound.env, HOME: '/h' })).toBe('<X> $(echo $HOME)\na b\na b\n');
  });

  it('keeps < redirections, <(…) and comparisons as they are', () => {
    const source = 'printf "a\\n" > f.txt; cat < f.txt; cat <(echo b); [[ 1 < 2 ]] && echo lt; echo <V>';
    const bound = bindPlaceholders('sh', source, ['V'], { V: 'v' });
    expect(bound.source).toBe('printf "a\\n" > f.txt; cat < f.txt; cat <(echo b); [[ 1 < 2 ]] && echo lt; echo "${RUNBOOK_VAR_V}"');
  });

  it('sanitises names that are not valid variable names', () => {
    expect(envNames(['timestamp', 'my-var', 'my_var', '1st'])).toEqual(
      new Map([
        ['timestamp', 'timestamp'],
        ['my-var', 'my_var_2'],
        ['my_var', 'my_var'],
        ['1st', '_1st'],
      ]),
    );
    const bound = bindPlaceholders('sh', 'echo <my-var>', ['my-var'], { 'my-var': 'v' });
    expect(bound).toEqual({ source: 'echo "${RUNBOOK_VAR_my_var}"', env: { RUNBOOK_VAR_my_var: 'v' } });
  });
});

describe('placeholders: PowerShell (binding itself: test/placeholders-powershell.test.ts, with the real parser)', () => {
  it("refuses to bind without PowerShell's parser, in one line that says what to install", () => {
    expect(() => bindPlaceholders('powershell', 'deploy <GOOD_SHA>', ['GOOD_SHA'], { GOOD_SHA: 'abc' })).toThrow(
      "binding <GOOD_SHA> in a PowerShell cell needs PowerShell's parser: install pwsh (PowerShell 7), see the README",
    );
    expect(bindPlaceholders('powershell', 'Write-Output hi', [], {})).toEqual({ source: 'Write-Output hi', env: {} });
  });
});
