/**
 * The v1 contract as data: for each event type, the fields a reader relies on and their
 * JSON types (see events.ts for their meaning). A correctly chained line can still carry
 * `"runbook": 7` — hand-made, or from another tool — and a reader that trusted it would
 * crash deep inside a renderer; readers check each event here first and name the first
 * bad line. Unknown types are checked for the common fields only (readers ignore them).
 */

/** `?` at the end: optional, but of this type when present. */
type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'string[]' | 'array[]';
type Field = Kind | `${Kind}?` | Shape | `${'object' | 'array'}:${string}`;
interface Shape {
  readonly [field: string]: Field;
}

const COMMON: Shape = { v: 'integer', seq: 'integer', ts: 'string', type: 'string', run: 'string' };

const CELL_SUMMARY: Shape = { id: 'string', lang: 'string', line: 'integer', section: 'string[]' };
const PROBLEM: Shape = { kind: 'string', message: 'string', cells: 'string[]', fatal: 'boolean' };
const NOT_RUN: Shape = { cell: 'string', reason: 'string' };
const ERROR: Shape = { message: 'string', code: 'string?', detail: 'string?', hint: 'string?', line: 'integer?', unreachable: 'boolean?' };

/** Arrays of objects, by name: `array:<name>` checks every element against the shape. */
const ELEMENTS: Record<string, Shape> = { cell: CELL_SUMMARY, problem: PROBLEM, notRun: NOT_RUN };
const DATABASE: Shape = { url: 'string', reachable: 'boolean', reason: 'string?', code: 'string?' };
/** Optional objects, by name. */
const OBJECTS: Record<string, Shape> = { error: ERROR, database: DATABASE };

const TYPES: Record<string, Shape> = {
  'run.started': {
    runbook: { path: 'string', sha256: 'string' },
    actor: 'string',
    host: 'string',
    target: { kind: 'string', url: 'string' },
    mode: 'string',
    argv: 'string[]',
    cells: 'array:cell',
    detectedAt: 'string?',
  },
  'run.resumed': { actor: 'string', host: 'string', argv: 'string[]', from: 'string?' },
  'run.preflight': { problems: 'array:problem', database: 'object:database' },
  'variable.bound': { name: 'string', source: 'string', secret: 'boolean', value: 'string?' },
  'variable.refused': { name: 'string', reason: 'string' },
  'cell.started': { cell: 'string', lang: 'string', line: 'integer', section: 'string[]', source: 'string', attempt: 'integer?', effect: 'string?', pgid: 'integer?', leaderStart: 'string?', background: 'boolean?', adhoc: 'boolean?', at: 'string?' },
  'cell.output': { cell: 'string', stream: 'string', data: 'string' },
  'cell.output.spilled': { cell: 'string', stream: 'string', path: 'string', attempt: 'integer?' },
  'cell.output.closed': { cell: 'string', stream: 'string', path: 'string', bytes: 'integer', sha256: 'string' },
  'sql.result': {
    cell: 'string', index: 'integer', statement: 'string', title: 'string?', command: 'string',
    columns: 'string[]', rows: 'array[]', rowCount: 'integer', truncated: 'boolean',
  },
  'sql.rehearsal': { cell: 'string', statements: 'array', lockTimeoutMs: 'integer?', statementTimeoutMs: 'integer?', error: 'string?' },
  'sql.transaction': { cell: 'string', attempt: 'integer', pid: 'integer', backendStart: 'string', xid: 'string?', own: 'string?' },
  'cell.finished': { cell: 'string', status: 'string', durationMs: 'number', exitCode: 'integer?', errors: 'integer?', error: 'object:error', reason: 'string?', unavailable: 'boolean?', attempt: 'integer?' },
  'target.changed': { cell: 'string', name: 'string', from: 'string?', to: 'string?', reset: 'boolean' },
  'operator.decision': { cell: 'string', action: 'string', actor: 'string', source: 'string?', to: 'string?', reason: 'string?' },
  'operator.note': { text: 'string', actor: 'string', cell: 'string?', mark: 'string?', markedAt: 'string?', role: 'string?', holder: 'string?' },
  'checklist.ticked': { item: 'string', checked: 'boolean', line: 'integer', actor: 'string' },
  'run.finished': { status: 'string', durationMs: 'number', counts: 'object', selected: 'integer?', notRun: 'array:notRun', reason: 'string?' },
};

/** Every event type this version reads. */
export const KNOWN_TYPES: ReadonlySet<string> = new Set(Object.keys(TYPES));

/** What is wrong with an event under the v1 contract (the first problem), or undefined. */
export function contractProblem(event: Record<string, unknown>): string | undefined {
  const common = check(event, COMMON, '');
  if (common) return common;
  const shape = TYPES[event.type as string];
  return shape ? check(event, shape, '') : undefined;
}

function check(value: Record<string, unknown>, shape: Shape, prefix: string): string | undefined {
  for (const [name, field] of Object.entries(shape)) {
    const problem = checkField(value[name], field, `${prefix}${name}`);
    if (problem) return problem;
  }
  return undefined;
}

function checkField(value: unknown, field: Field, path: string): string | undefined {
  if (typeof field === 'object') {
    if (!isObject(value)) return wrong(path, 'an object', value);
    return check(value, field, `${path}.`);
  }
  if (field.includes(':')) {
    // Named shapes (`array:cell`, `object:error`) are optional: older writers left some out.
    if (value === undefined) return undefined;
    const [container, name] = field.split(':') as ['object' | 'array', string];
    if (container === 'object') return isObject(value) ? check(value, OBJECTS[name] as Shape, `${path}.`) : wrong(path, 'an object', value);
    if (!Array.isArray(value)) return wrong(path, 'an array', value);
    for (let i = 0; i < value.length; i += 1) {
      const element: unknown = value[i];
      const problem = isObject(element) ? check(element, ELEMENTS[name] as Shape, `${path}[${i}].`) : wrong(`${path}[${i}]`, 'an object', element);
      if (problem) return problem;
    }
    return undefined;
  }
  const optional = field.endsWith('?');
  const kind = (optional ? field.slice(0, -1) : field) as Kind;
  if (value === undefined) return optional ? undefined : `${path} is missing`;
  return matches(value, kind) ? undefined : wrong(path, describe(kind), value);
}

function matches(value: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'array[]':
      return Array.isArray(value) && value.every((item) => Array.isArray(item));
  }
}

function describe(kind: Kind): string {
  const words: Record<Kind, string> = {
    string: 'a string', number: 'a number', integer: 'an integer', boolean: 'true or false', object: 'an object',
    array: 'an array', 'string[]': 'an array of strings', 'array[]': 'an array of arrays',
  };
  return words[kind];
}

function wrong(path: string, expected: string, value: unknown): string {
  const shown = JSON.stringify(value) ?? String(value);
  return `${path} should be ${expected}, is ${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
