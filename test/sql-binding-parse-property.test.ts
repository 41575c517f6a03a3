/**
 * Property, with PostgreSQL's parser (libpg-query) as the oracle: whatever a value holds,
 * bound into any of the SQL contexts the binder accepts (code, '…', E'…', "…", beside
 * comments, strings continued on the next line), the bound cell parses into the same tree
 * as with a harmless value, constants and names aside. Where the binder and the server's
 * lexer disagree, the binder refuses (an InputError) instead; it never lets the value
 * change the statement.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/engine/errors.js';
import { bindCellPlaceholders } from '../src/engine/placeholders.js';
import { parseSql, SqlParseError } from '../src/engine/lang/sql/pg-parser.js';

/** Pieces of a SELECT list; each holds <V> once (or not at all), in a different lexical context. */
const ITEM = fc.constantFrom(
  '<V>', "'<V>'", "'pre-<V>-post'", "'c:\\dir\\<V>'", "E'pre\\t<V>'", "E'\\\\<V>\\''", '1 AS "a<V>"', '<V>::text',
  "E'abc'\n'\\' <V> --'", "'abc'\n'<V>'", "E'abc'\n'x<V>'", "<V>\n'\\'", "<V>\n'tail'", "'a\\'\n<V>", "E'a\\\\'\n<V>",
  '/* <V> */ 1', '-- <V>\n1', '/* /* <V> */ */ <V>', "U&'d\\0061t<V>'", "X'0A'", "B'<V>'", "'a' -- x\n'<V>'", "'a'  \n  '<V>'",
  "'it''s <V>'", '"a""b"', '1',
);
const SEPARATOR = fc.constantFrom(', ', ',\n', ' || ', '\n|| ');
const TEMPLATE = fc.tuple(fc.array(fc.tuple(ITEM, SEPARATOR), { minLength: 1, maxLength: 4 }), fc.boolean()).map(
  ([items, terminated]) => `SELECT ${items.map(([item, separator], i) => (i === 0 ? item : separator + item)).join('')}${terminated ? ';' : ''}`,
);

const PIECE = fc.oneof(
  fc.constantFrom("'", "''", '\\', "\\'", '"', '--', '/*', '*/', '$$', '$a$', '\n', '\r\n', '\t', ';CREATE TABLE pwned (id int);--', "E'", 'U&', '\\0041', 'é', '𝄞', ' ', '<V>'),
  fc.string({ minLength: 1, maxLength: 3 }).filter((s) => !/[\0\uD800-\uDFFF]/.test(s)),
);
const VALUE = fc.array(PIECE, { maxLength: 6 }).map((parts) => parts.join(''));

/** The tree with every position, constant and name blanked: its shape. */
async function shape(sql: string): Promise<string> {
  try {
    const statements = await parseSql(sql);
    return JSON.stringify(statements.map((s) => s.stmt), (key, value: unknown) => (key === 'location' ? undefined : key === 'sval' || key === 'name' || key === 'bsval' ? '' : value));
  } catch (error) {
    if (error instanceof SqlParseError) return 'does not parse';
    throw error;
  }
}

async function bound(template: string, value: string): Promise<string | InputError> {
  try {
    return (await bindCellPlaceholders('sql', template, ['V'], { V: value }, undefined)).source;
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
}

describe('property: a bound value never changes the parse tree of a SQL cell', () => {
  it('any value, any context the binder accepts', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(TEMPLATE, VALUE, async (template, value) => {
        const harmless = await bound(template, 'v');
        if (harmless instanceof InputError) return;
        const hostile = await bound(template, value);
        if (hostile instanceof InputError) return;
        accepted += 1;
        expect(await shape(hostile), `${JSON.stringify(template)} with ${JSON.stringify(value)} bound as ${JSON.stringify(hostile)}`).toBe(await shape(harmless));
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(300);
  });

  it('the continued E string of the report is refused, whatever the value', async () => {
    await fc.assert(
      fc.asyncProperty(VALUE, async (value) => {
        expect(await bound("SELECT E'abc'\n'\\' <V> --' AS x;", value)).toBeInstanceOf(InputError);
      }),
      { numRuns: 200 },
    );
  });
});
