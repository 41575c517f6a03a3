/**
 * The transcript contract, version 1, as one schema (valibot): what a reader may rely on in
 * each event. It is the one description of v1 that the readers check every line against
 * (contract.ts), that `npm run schema` publishes as JSON Schema (schema/transcript.v1.json,
 * for readers in any language), and that a type-level test holds equal to events.ts, the
 * types the writer builds events with. Adding a field: add it to events.ts and here.
 *
 * Additive by design: an object may carry fields not named here (a newer writer's), and a
 * type not named here is checked for the common fields only; readers ignore both. Where a
 * field is optional here but always written today (a runbook's `title`, a target's `name`,
 * an attempt number), transcripts from before it was written are still v1 and still read.
 *
 * valibot over zod: the readers import this on every `timeline`, `replay`, `resume` and
 * `verify`, and valibot's modular functions load in ~11 ms where zod 4 took 70-160 ms here.
 */
import * as v from 'valibot';

/** valibot's object() and record() take an array too; JSON Schema's `object` does not, nor may a reader. */
function jsonObject<S extends v.GenericSchema>(schema: S) {
  const isObject = (input: unknown) => typeof input === 'object' && input !== null && !Array.isArray(input);
  return v.pipe(v.custom<v.InferInput<S>>(isObject), schema);
}

function object<const E extends v.ObjectEntries>(entries: E) {
  return jsonObject(v.object(entries));
}

const integer = v.pipe(v.number(), v.integer());
const strings = v.array(v.string());
/** `toISOString()`: UTC with milliseconds. */
const timestamp = v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'an ISO 8601 UTC time with milliseconds'));

const CELL_STATUSES = ['succeeded', 'failed', 'skipped', 'cancelled', 'timed-out'] as const;
const RUN_STATUSES = ['succeeded', 'failed', 'incomplete', 'aborted'] as const;
const RUN_MODES = ['interactive', 'unattended', 'dry-run'] as const;
const TARGET_KINDS = ['sandbox', 'postgres', 'none'] as const;
const OUTPUT_STREAMS = ['stdout', 'stderr', 'notice'] as const;
const DECISION_ACTIONS = ['run', 'skip', 'edit', 'retry', 'jump', 'quit', 'cancel', 'confirm', 'allow-write'] as const;
const LANGS = ['sql', 'powershell', 'sh'] as const;
const VARIABLE_SOURCES = ['flag', 'env', 'frontmatter', 'prompt', 'default', 'target', 'written'] as const;
const EFFECTS = ['read', 'write'] as const;

const lang = v.picklist(LANGS);
const effect = v.picklist(EFFECTS);

/** The fields every event carries; `hash` is last on disk. */
export const EventBaseSchema = object({
  v: v.literal(1),
  seq: integer,
  ts: timestamp,
  type: v.string(),
  run: v.string(),
  hash: v.optional(v.string()),
});

const SelectionSchema = object({
  from: v.optional(v.string()),
  only: v.optional(strings),
  resume: v.optional(object({ at: v.optional(v.string()), after: v.optional(v.boolean()), finished: strings })),
});

const CellPlanSchema = object({
  id: v.string(),
  lang,
  effect,
  effectReason: v.string(),
  interpreter: v.optional(object({ named: v.string(), command: v.optional(v.string()), args: strings, missing: v.optional(v.string()) })),
  cwd: v.optional(v.string()),
  cwdFrom: v.optional(v.picklist(['attribute', 'runbook'])),
  placeholders: strings,
  prompts: v.optional(v.array(object({
    name: v.string(), written: v.string(), kind: v.picklist(['default', 'hint', 'none']), always: v.boolean(), line: integer,
  }))),
  env: strings,
  runs: v.optional(v.picklist(['background', 'terminal'])),
  confirm: object({ required: v.boolean(), because: v.string(), unattended: v.optional(v.picklist(['refused', 'allowed-by-flag'])) }),
  needs: v.optional(v.array(object({ name: v.string(), found: v.boolean(), near: v.optional(v.string()) }))),
  needsUnread: v.optional(v.string()),
  refused: v.optional(v.string()),
  willRun: v.boolean(),
  whyNot: v.optional(object({
    reason: v.picklist(['skip-attribute', 'not-selected', 'already-run', 'before-resume-point', 'missing-interpreter', 'missing-command']),
    message: v.string(),
  })),
});

const CellSummarySchema = object({
  id: v.string(),
  lang,
  line: integer,
  section: strings,
  effect: v.optional(effect),
  plan: v.optional(CellPlanSchema),
});

const CellErrorSchema = object({
  message: v.string(),
  code: v.optional(v.string()),
  detail: v.optional(v.string()),
  hint: v.optional(v.string()),
  line: v.optional(integer),
  unreachable: v.optional(v.boolean()),
});

/** Each event type's own fields (with `type`); the common ones are EventBaseSchema's. */
export const EVENT_SCHEMAS = {
  'run.started': object({
    type: v.literal('run.started'),
    runbook: object({ path: v.string(), sha256: v.string(), title: v.optional(v.string()), absolutePath: v.optional(v.string()) }),
    actor: v.string(),
    detectedAt: v.optional(v.string()),
    host: v.string(),
    target: object({ kind: v.picklist(TARGET_KINDS), url: v.string(), name: v.optional(v.string()) }),
    mode: v.picklist(RUN_MODES),
    argv: strings,
    selection: v.optional(SelectionSchema),
    cells: v.optional(v.array(CellSummarySchema)),
    budgets: v.optional(v.array(object({ section: strings, budgetMs: v.number() }))),
    escalation: v.optional(v.string()),
    escalationAfterMs: v.optional(v.number()),
    symptoms: v.optional(v.string()),
    checklist: v.optional(v.array(object({ text: v.string(), line: integer, checked: v.boolean(), owner: v.optional(v.string()) }))),
  }),
  'run.resumed': object({
    type: v.literal('run.resumed'),
    actor: v.string(),
    host: v.string(),
    argv: strings,
    from: v.optional(v.string()),
    selection: v.optional(SelectionSchema),
  }),
  'run.preflight': object({
    type: v.literal('run.preflight'),
    problems: v.array(object({ kind: v.string(), message: v.string(), cells: strings, fatal: v.boolean() })),
    needs: v.optional(v.array(object({ cell: v.string(), name: v.string(), found: v.boolean(), near: v.optional(v.string()) }))),
    database: v.optional(object({ url: v.string(), reachable: v.boolean(), reason: v.optional(v.string()), code: v.optional(v.string()) })),
  }),
  'variable.bound': object({
    type: v.literal('variable.bound'),
    name: v.string(),
    source: v.picklist(VARIABLE_SOURCES),
    secret: v.boolean(),
    value: v.optional(v.string()),
  }),
  'variable.refused': object({ type: v.literal('variable.refused'), name: v.string(), reason: v.string() }),
  'cell.started': object({
    type: v.literal('cell.started'),
    cell: v.string(),
    lang,
    line: integer,
    section: strings,
    source: v.string(),
    attempt: v.optional(integer),
    values: v.optional(jsonObject(v.record(v.string(), v.string()))),
    effect: v.optional(effect),
    plan: v.optional(CellPlanSchema),
    pgid: v.optional(integer),
    leaderStart: v.optional(v.string()),
    background: v.optional(v.boolean()),
    adhoc: v.optional(v.boolean()),
    at: v.optional(v.string()),
  }),
  'cell.output': object({ type: v.literal('cell.output'), cell: v.string(), stream: v.picklist(OUTPUT_STREAMS), data: v.string() }),
  'cell.output.spilled': object({
    type: v.literal('cell.output.spilled'),
    cell: v.string(),
    stream: v.picklist(OUTPUT_STREAMS),
    path: v.string(),
    attempt: v.optional(integer),
  }),
  'cell.output.closed': object({
    type: v.literal('cell.output.closed'),
    cell: v.string(),
    stream: v.picklist(OUTPUT_STREAMS),
    path: v.string(),
    bytes: integer,
    sha256: v.string(),
  }),
  'sql.result': object({
    type: v.literal('sql.result'),
    cell: v.string(),
    index: integer,
    statement: v.string(),
    title: v.optional(v.string()),
    command: v.string(),
    columns: strings,
    rows: v.array(v.array(v.unknown())),
    rowCount: integer,
    truncated: v.boolean(),
  }),
  'sql.rehearsal': object({
    type: v.literal('sql.rehearsal'),
    cell: v.string(),
    statements: v.array(object({
      index: integer,
      title: v.optional(v.string()),
      command: v.optional(v.string()),
      rowCount: v.optional(integer),
      outcome: v.picklist(['rehearsed', 'failed', 'not-rehearsed']),
      why: v.optional(v.string()),
      error: v.optional(object({ message: v.string(), code: v.optional(v.string()) })),
    })),
    lockTimeoutMs: v.optional(integer),
    statementTimeoutMs: v.optional(integer),
    error: v.optional(v.string()),
  }),
  'sql.transaction': object({
    type: v.literal('sql.transaction'),
    cell: v.string(),
    attempt: integer,
    pid: integer,
    backendStart: v.string(),
    xid: v.optional(v.string()),
    own: v.optional(v.string()),
  }),
  'cell.finished': object({
    type: v.literal('cell.finished'),
    cell: v.string(),
    status: v.picklist(CELL_STATUSES),
    durationMs: v.number(),
    exitCode: v.optional(integer),
    error: v.optional(CellErrorSchema),
    errors: v.optional(integer),
    reason: v.optional(v.string()),
    unavailable: v.optional(v.literal(true)),
    attempt: v.optional(integer),
    evidence: v.optional(object({
      xid: v.optional(v.string()),
      pid: integer,
      xactStatus: v.picklist(['committed', 'aborted', 'unknown']),
      decidedBy: v.optional(v.picklist(['server', 'operator', 'flag'])),
    })),
  }),
  'run.escalation': object({ type: v.literal('run.escalation'), afterMs: v.number(), escalation: v.optional(v.string()) }),
  'notify.failed': object({ type: v.literal('notify.failed'), reason: v.string(), dropped: integer }),
  'target.changed': object({
    type: v.literal('target.changed'),
    cell: v.string(),
    name: v.string(),
    from: v.optional(v.string()),
    to: v.optional(v.string()),
    reset: v.boolean(),
  }),
  'operator.decision': object({
    type: v.literal('operator.decision'),
    cell: v.string(),
    action: v.picklist(DECISION_ACTIONS),
    actor: v.string(),
    source: v.optional(v.string()),
    previous: v.optional(v.string()),
    to: v.optional(v.string()),
    by: v.optional(v.literal('typed')),
    flag: v.optional(v.string()),
    reason: v.optional(v.string()),
  }),
  'operator.note': object({
    type: v.literal('operator.note'),
    text: v.string(),
    actor: v.string(),
    cell: v.optional(v.string()),
    mark: v.optional(v.picklist(['detected', 'first-symptom'])),
    markedAt: v.optional(v.string()),
    role: v.optional(v.string()),
    holder: v.optional(v.string()),
  }),
  'checklist.ticked': object({ type: v.literal('checklist.ticked'), item: v.string(), checked: v.boolean(), line: integer, actor: v.string() }),
  'run.finished': object({
    type: v.literal('run.finished'),
    status: v.picklist(RUN_STATUSES),
    durationMs: v.number(),
    counts: object(Object.fromEntries(CELL_STATUSES.map((status) => [status, v.optional(v.number())])) as Record<(typeof CELL_STATUSES)[number], v.OptionalSchema<v.NumberSchema<undefined>, undefined>>),
    selected: v.optional(integer),
    notRun: v.optional(v.array(object({ cell: v.string(), reason: v.string() }))),
    reason: v.optional(v.string()),
  }),
};

export type EventType = keyof typeof EVENT_SCHEMAS;
/** A known event as the schema reads it: the common fields and its type's own. */
export type SchemaEvent<T extends EventType> = v.InferOutput<typeof EventBaseSchema> & v.InferOutput<(typeof EVENT_SCHEMAS)[T]>;
