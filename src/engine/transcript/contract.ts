/**
 * The readers' check of each event against the v1 contract (schema.ts). A correctly
 * chained line can still carry `"runbook": 7` — hand-made, or from another tool — and a
 * reader that trusted it would crash deep inside a renderer; readers check each event here
 * first and name the first bad field in one line. Unknown types are checked for the common
 * fields only (readers ignore them); unknown fields are allowed (the contract is additive).
 */
import * as v from 'valibot';
import { EVENT_SCHEMAS, EventBaseSchema } from './schema.js';

/** Every event type this version reads. */
export const KNOWN_TYPES: ReadonlySet<string> = new Set(Object.keys(EVENT_SCHEMAS));

/** What is wrong with an event under the v1 contract (the first problem), or undefined. */
export function contractProblem(event: Record<string, unknown>): string | undefined {
  const common = v.safeParse(EventBaseSchema, event, { abortEarly: true });
  if (!common.success) return describeIssue(common.issues[0]);
  const schema = KNOWN_TYPES.has(event.type as string) ? EVENT_SCHEMAS[event.type as keyof typeof EVENT_SCHEMAS] : undefined;
  if (!schema) return undefined;
  const own = v.safeParse(schema, event, { abortEarly: true });
  return own.success ? undefined : describeIssue(own.issues[0]);
}

/** `cells[2].lang should be one of "sql", "powershell", "sh", is "python"`, `durationMs is missing`. */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = (issue.path ?? []).map((item) => (typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`)).join('').replace(/^\./, '');
  const where = path || 'the event';
  const parent = issue.path?.at(-1);
  if (issue.kind === 'schema' && parent && parent.type === 'object' && !Object.hasOwn(parent.input as object, parent.key as string)) {
    return `${where} is missing`;
  }
  return `${where} should be ${expected(issue)}, is ${shown(issue.input)}`;
}

function expected(issue: v.BaseIssue<unknown>): string {
  switch (issue.type) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'integer':
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'object':
    case 'record':
    case 'custom': // schema.ts's jsonObject(): not an array
      return 'an object';
    case 'array':
      return 'an array';
    case 'literal':
      return issue.expected ?? 'the literal';
    case 'picklist':
      return `one of ${(issue.expected ?? '').replace(/^\(|\)$/g, '').split(' | ').join(', ')}`;
    default:
      // A regex check names what it wants in its message (schema.ts).
      return issue.kind === 'validation' && issue.type === 'regex' ? issue.message : (issue.expected ?? issue.type);
  }
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
