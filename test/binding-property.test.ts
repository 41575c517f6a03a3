/**
 * Property: any value (quotes, backslashes, $(), backticks, newlines, a[$(…)], glob
 * characters, NUL-free unicode) bound into any context of a cell arrives byte for byte as
 * data — real bash for sh, real PostgreSQL for SQL — and a marker file that an injected
 * command would create never appears. mvdan/sh (sh-syntax, the shfmt parser) is the oracle
 * for the shape: the bound program parses into as many statements as the one written.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { parse as parseShell } from 'sh-syntax';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindPlaceholders } from '../src/engine/placeholders.js';
import { InputError } from '../src/engine/errors.js';
import { databaseUrl } from './support/database.js';
import { tempDir } from './runner-support.js';

const MARKER = join(tempDir('runbook-property-'), 'pwned');

const fragment = fc.oneof(
  fc.constantFrom(
    `$(touch ${MARKER})`, `\`touch ${MARKER}\``, `a[$(touch ${MARKER})]`, `x[\`touch ${MARKER}\`]`, "'", '"', '\\', '\n', '\t', ' ', '*', '?', '[a]',
    '${IFS}', '$HOME', '$((1+1))', '!', '#', '~', '%s', '-n', '--', 'EOF', '$$', "$'", "''", ';', '&', '|', '<', '>', '{a,b}', 'é', '✓', '𝄞', '中文', '\u00a0',
  ),
  fc.string({ minLength: 1, maxLength: 3 }).filter((s) => !/[\0\uD800-\uDFFF]/.test(s)),
);
const value = fc.array(fragment, { minLength: 0, maxLength: 8 }).map((parts) => parts.join(''));

/** Each context prints the value (or what it makes of it) as one NUL-terminated record. */
const SH_CONTEXTS: [string, string, (v: string) => string][] = [
  ['code', "printf '%s\\0' <V>", (v) => v],
  ['double quotes', `printf '%s\\0' "pre-<V>-post"`, (v) => `pre-${v}-post`],
  ['single quotes', "printf '%s\\0' 'pre-<V>-post'", (v) => `pre-${v}-post`],
  ['ANSI-C quotes', "printf '%s\\0' $'pre-<V>-post'", (v) => `pre-${v}-post`],
  ['command substitution', `x="$(printf '%s.' <V>)"; printf '%s\\0' "\${x%.}"`, (v) => v],
  ['backquotes', "x=`printf '%s.' <V>`; printf '%s\\0' \"${x%.}\"", (v) => v],
  ['assignment', `x=<V>; printf '%s\\0' "$x"`, (v) => v],
  ['default value', `printf '%s\\0' \${UNSET_X:-<V>} "\${UNSET_X:-<V>}"`, (v) => `${v}\0${v}`],
  ['unquoted heredoc', "cat <<EOF\n<V>\nEOF\nprintf '\\0'", (v) => `${v}\n`],
  ['after a shift', "mask=$((1<<4))\nprintf '%s\\0' <V>", (v) => v],
  ['[[ == ]]', `expect=<V>; [[ <V> == "$expect" ]] && printf 'eq\\0'`, () => 'eq'],
  ['an argument of bash -c (the safe form)', `bash -c 'printf "%s\\0" "$1"' _ <V>`, (v) => v],
  ['an element of a compound array assignment', `a=(x <V> z); printf '%s\\0' "\${a[1]}"`, (v) => v],
  ['a here-string to cat', "cat <<< <V>; printf '\\0'", (v) => `${v}\n`],
];

/** Where the value would be parsed again: whatever it is, the binder refuses it (and nothing runs). */
const SH_REPARSED = [
  'eval "echo <V>"', 'bash -c "echo <V>"', "sh -c 'echo <V>'", "trap 'echo <V>' EXIT", "awk '{ print \"<V>\" }'",
  'ssh host "ls <V>"', "find . -exec sh -c 'echo <V>' {} \\;", 'psql <<EOF\nSELECT \'<V>\';\nEOF', 'cat <<EOF | bash\necho <V>\nEOF',
  'python3 -c "print(\'<V>\')"', 'bash <<< "echo <V>"',
];

function runBash(source: string, env: Record<string, string>): string {
  return execFileSync('bash', ['--norc', '--noprofile', '-c', source], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
}

async function statementCount(source: string): Promise<number> {
  const file = (await parseShell(source)) as unknown as { Stmts?: unknown[]; Stmt?: unknown[] };
  return (file.Stmts ?? file.Stmt ?? []).length;
}

describe('property: a value is data in every sh context', () => {
  it.each(SH_CONTEXTS)('%s', async (_name, source, expected) => {
    const written = await statementCount(source.replaceAll('<V>', 'placeholder'));
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        rmSync(MARKER, { force: true });
        const bound = bindPlaceholders('sh', source, ['V'], { V: v });
        expect(await statementCount(bound.source)).toBe(written);
        expect(runBash(bound.source, bound.env)).toBe(`${expected(v)}\0`);
        expect(existsSync(MARKER)).toBe(false);
      }),
      { numRuns: 40 },
    );
  });

  it.each([
    ['$((…))', 'printf "%s\\0" $((<V> + 1))', (n: number) => String(n + 1)],
    ['[[ -gt ]]', '[[ <V> -gt 0 ]] && printf "pos\\0" || printf "notpos\\0"', (n: number) => (n > 0 ? 'pos' : 'notpos')],
    ['array subscript', 'a=(x y z); printf "%s\\0" "${a[<V>]-unset}"', (n: number) => (n >= 0 ? (['x', 'y', 'z'][n] ?? 'unset') : ['x', 'y', 'z'][3 + n]!)],
    ['unset "a[…]"', 'a=(x y z); unset "a[<V>]" 2>/dev/null; printf "%s\\0" "${#a[@]}"', (n: number) => String((n >= 0 && n <= 2) || (n < 0 && n >= -3) ? 2 : 3)],
  ])('arithmetic %s: an integer works, anything else is refused, nothing runs', async (_name, source, expected) => {
    await fc.assert(
      fc.property(fc.oneof(value, fc.integer({ min: -3, max: 1000 }).map(String)), (v) => {
        rmSync(MARKER, { force: true });
        let bound;
        try {
          bound = bindPlaceholders('sh', source, ['V'], { V: v });
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          expect(/^-?(0|[1-9][0-9]*)$/.test(v)).toBe(false);
          return;
        }
        expect(runBash(bound.source, bound.env)).toBe(`${expected(Number(v))}\0`);
        expect(existsSync(MARKER)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe('property: text parsed again never takes a value', () => {
  it.each(SH_REPARSED)('%s', (source) => {
    fc.assert(
      fc.property(value, (v) => {
        expect(() => bindPlaceholders('sh', source, ['V'], { V: v })).toThrow(InputError);
      }),
      { numRuns: 40 },
    );
  });
});

describe('property: a value is data in every SQL context', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
  });

  const SQL_CONTEXTS: [string, string, (v: string) => string][] = [
    ['code', 'SELECT <V> AS v', (v) => v],
    ['a whole string', "SELECT '<V>' AS v", (v) => v],
    ['inside a string', "SELECT 'pre-<V>-post' AS v", (v) => `pre-${v}-post`],
    ['inside an E string', "SELECT E'pre\\t<V>' AS v", (v) => `pre\t${v}`],
    ['a string with a backslash', "SELECT 'c:\\dir\\<V>' AS v", (v) => `c:\\dir\\${v}`],
    ['a cast', 'SELECT <V>::text AS v', (v) => v],
    ['after a comment', "-- <V>\nSELECT /* <V> */ <V> || '' AS v", (v) => v],
  ];

  it.each(SQL_CONTEXTS)('%s', async (_name, source, expected) => {
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        const bound = bindPlaceholders('sql', source, ['V'], { V: v });
        const result = await client.query<{ v: string }>(bound.source);
        expect(result.rows[0]?.v).toBe(expected(v));
      }),
      { numRuns: 40 },
    );
  });
});
