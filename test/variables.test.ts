import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../src/engine/parse.js';
import { InputError } from '../src/engine/errors.js';
import { boundEvent, neededNames, parseVarFile, parseVarFlags, resolveVariables, validateValue } from '../src/engine/variables.js';

const runbook = parseRunbook(
  [
    '---',
    'variables:',
    '  GOOD_SHA:',
    '    description: the last known-good commit',
    '    pattern: "[0-9a-f]{7,40}"',
    '  REGION:',
    '    default: eu-west-1',
    '  deploy_token:',
    '    description: not a secret by flag, but by its name',
    '  note:',
    '    secret: true',
    '---',
    '# Vars',
    '## Roll back',
    '```sh',
    'railway deploy --commit <GOOD_SHA> --region <REGION>',
    '```',
    '',
    '```sql',
    'SELECT <timestamp>;',
    '```',
  ].join('\n'),
  'vars.md',
);

describe('variables', () => {
  it('parses --var NAME=VALUE, keeping = inside the value, and rejects a flag without a name', () => {
    expect(parseVarFlags(['A=1', 'B=x=y', 'C='])).toEqual({ A: '1', B: 'x=y', C: '' });
    expect(() => parseVarFlags(['novalue'])).toThrow(InputError);
    expect(() => parseVarFlags(['=x'])).toThrow(/expected NAME=VALUE/);
  });

  it('binds flag over environment over default and reports the missing placeholders', () => {
    const needed = neededNames(runbook.cells);
    expect(needed).toEqual(['GOOD_SHA', 'REGION', 'timestamp']);
    const { bound, missing } = resolveVariables({
      runbook,
      flags: { GOOD_SHA: 'abc1234' },
      env: { GOOD_SHA: 'fffffff', REGION: 'us-east-1' },
      needed,
    });
    expect(bound.find((v) => v.name === 'GOOD_SHA')).toMatchObject({ value: 'abc1234', source: 'flag', secret: false });
    expect(bound.find((v) => v.name === 'REGION')).toMatchObject({ value: 'us-east-1', source: 'env' });
    expect(missing).toEqual(['timestamp']);
    const defaults = resolveVariables({ runbook, flags: {}, env: {}, needed });
    expect(defaults.bound.find((v) => v.name === 'REGION')).toMatchObject({ value: 'eu-west-1', source: 'default' });
    expect(defaults.missing).toEqual(['GOOD_SHA', 'timestamp']);
  });

  it('refuses a value that does not match the pattern, in one line naming the variable', () => {
    const call = () => resolveVariables({ runbook, flags: { GOOD_SHA: "x'; DROP TABLE ops.jobs; --" }, env: {}, needed: ['GOOD_SHA'] });
    expect(call).toThrow(InputError);
    expect(call).toThrow(/^variable GOOD_SHA: .* does not match the pattern \[0-9a-f\]\{7,40\}.*--var GOOD_SHA=/);
    expect(validateValue({ name: 'X', pattern: '[0-9]+' }, '12a')).toMatch(/does not match/);
    expect(validateValue({ name: 'X', pattern: '[0-9]+' }, '12')).toBeNull();
  });

  it('marks secrets by frontmatter or by name, and never puts a secret value in its event', () => {
    const { bound } = resolveVariables({ runbook, flags: { note: 'n0te-value', deploy_token: 'tok-123' }, env: {}, needed: [] });
    const note = bound.find((v) => v.name === 'note');
    const token = bound.find((v) => v.name === 'deploy_token');
    expect(note?.secret).toBe(true);
    expect(token?.secret).toBe(true);
    expect(boundEvent(token!)).toEqual({ type: 'variable.bound', name: 'deploy_token', source: 'flag', secret: true });
    expect(JSON.stringify(boundEvent(note!))).not.toContain('n0te-value');
    const sha = resolveVariables({ runbook, flags: { GOOD_SHA: 'abc1234' }, env: {}, needed: [] }).bound[0]!;
    expect(boundEvent(sha)).toMatchObject({ value: 'abc1234', secret: false });
  });

  it('does not quote a secret value in a pattern error', () => {
    expect(validateValue({ name: 'PIN', secret: true, pattern: '[0-9]{4}' }, 'hunter2')).not.toContain('hunter2');
  });
});

describe('parseVarFile', () => {
  it('reads NAME=VALUE lines: export allowed, comments and blanks skipped, one pair of quotes removed, nothing expanded', () => {
    const text = '# secrets\r\nexport API_TOKEN="a b=c"\n\n  DB_PASSWORD=\'p\'"q\'\nNOTE=$HOME \\n `x`\nEMPTY=\n';
    expect(parseVarFile(text, 's.env')).toEqual({ API_TOKEN: 'a b=c', DB_PASSWORD: 'p\'"q', NOTE: '$HOME \\n `x`', EMPTY: '' });
  });

  it('a line that is not an assignment is an InputError naming the file and line', () => {
    expect(() => parseVarFile('A=1\n=2\n', 's.env')).toThrow(InputError);
    expect(() => parseVarFile('A=1\nnot one\n', 's.env')).toThrow(/^--var-file s\.env:2: expected NAME=VALUE/);
  });
});
