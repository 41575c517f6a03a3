/**
 * The runner walks a runbook's cells in order, asks the Operator before each cell and
 * after each finished one, runs cells through one executor per language family, and
 * emits every step as a RunEvent: stamped, redacted, written to the transcript first.
 */
import { preflight } from './preflight.js';
import { ownReason, planConfirm, planEffect, planRun, withCatalogue, type CellPlan, type Effect, type RunPlan } from './plan/index.js';
import { Emitter } from './runner/emitter.js';
import { executeCell } from './runner/execute-cell.js';
import { dirname, resolve } from 'node:path';
import { commandsNeeded, missingReason, type NeededCommand } from './commands-needed.js';
import { ExecutorPool, prepareCell } from './runner/executors.js';
import { runOutcome, type Outcome } from './runner/outcome.js';
import { newRunId, startEvent } from './runner/start.js';
import { catalogueFor, widenCatalogue } from './sql/catalogue.js';
import type { Catalogue } from './sql/effects.js';
import { isSecretVariable, specFor, validateValue, boundEvent, type BoundVariable } from './variables.js';
import type { CellStatus, EventBody, EventSink } from './events.js';
import type { Decision, WriteApproval } from './operator.js';
import type { Cell, ChecklistItem } from './runbook.js';
import type { ExecutionResult } from './executors/executor.js';
import type { RunnerOptions, RunSummary } from './runner/types.js';

export type { RunnerOptions, RunOutcome, RunSummary, ResumePoint, RunTranscript } from './runner/types.js';

const ABORTED = Symbol('aborted');

/** What the walk does after a cell; `stop` says why the cells after it were not reached. */
type Step = { next: true } | { jump: string } | { stop: string };

export class Runner {
  readonly runId: string;
  private readonly emitter: Emitter;
  private readonly executors: ExecutorPool;
  private readonly statuses = new Map<string, CellStatus>();
  /** Attempts per cell over the whole run, so a cell visited again after a jump counts on. */
  private readonly attempts = new Map<string, number>();
  /** Each cell's plan (the session's, its SQL effects refined by the target's catalogue). */
  private readonly plans = new Map<string, CellPlan>();
  /** Cells skipped because they could not run (not the operator's or the runbook's choice), with why. */
  private readonly unavailable = new Map<string, string>();
  /** What each cell calls (railway, curl…), found or not: read once, before preflight. */
  private needed = new Map<string, NeededCommand[]>();
  private stoppedBecause?: string;
  private readonly confirmed = new Set<string>();
  /** The target's volatility of what the SQL cells call; undefined without a database (built-ins decide). */
  private catalogue?: Catalogue;
  private readonly values: Record<string, string> = {};
  private readonly variables: BoundVariable[];
  private current?: AbortController;
  /** The cell whose execution `current` controls, so a cancel is recorded against it. */
  private currentCell?: string;
  private aborted = false;
  /** Why the run was aborted from outside (a signal, stdout closed), for `run.finished`. */
  private abortReason?: string;
  private quit = false;
  private started = false;
  private abortRun!: () => void;
  private readonly abortedPromise = new Promise<typeof ABORTED>((resolve) => {
    this.abortRun = () => resolve(ABORTED);
  });

  constructor(private readonly opts: RunnerOptions) {
    this.runId = opts.resume?.runId ?? opts.runId ?? newRunId();
    this.emitter = new Emitter(this.runId, opts.resume?.nextSeq ?? 0, opts.transcript);
    this.emitter.addUrl(opts.target.url);
    this.emitter.addSecrets(opts.secrets ?? []);
    this.variables = [...opts.variables];
    for (const v of this.variables) this.bind(v);
    for (const sink of opts.sinks ?? []) this.emitter.subscribe(sink);
    for (const [cell, status] of Object.entries(opts.resume?.statuses ?? {})) this.statuses.set(cell, status);
    this.executors = new ExecutorPool(opts.target);
  }

  subscribe(sink: EventSink): () => void {
    return this.emitter.subscribe(sink);
  }

  note(text: string, cell?: string): void {
    this.emitter.emit({ type: 'operator.note', text, actor: this.opts.operator.actor, ...(cell ? { cell } : {}) });
  }

  tick(item: ChecklistItem, checked: boolean): void {
    this.emitter.emit({ type: 'checklist.ticked', item: item.text, checked, line: item.line, actor: this.opts.operator.actor });
  }

  /** Cancels the running cell only (recorded as the operator's `cancel`); the operator decides what happens next. */
  cancelCurrent(): void {
    if (!this.current || this.current.signal.aborted) return;
    if (this.currentCell) this.emitter.emit({ type: 'operator.decision', cell: this.currentCell, action: 'cancel', actor: this.opts.operator.actor });
    this.current.abort();
  }

  /** SIGINT, SIGHUP, stdout closed…: cancel the running cell, stop asking, finish the run as aborted (with the reason). */
  abort(reason?: string): void {
    if (!this.aborted && reason) this.abortReason = reason;
    this.aborted = true;
    this.current?.abort();
    this.abortRun();
  }

  async run(): Promise<RunSummary> {
    if (this.started) throw new Error('a Runner runs once; create another for another run');
    this.started = true;
    const started = Date.now();
    const { runbook, mode } = this.opts;
    let plan = await this.planOf();
    // Connected now (the command validated and planned first): the target's catalogue decides what its functions do.
    if (mode !== 'dry-run') this.catalogue = await catalogueFor(this.opts.target.url, runbook.cells);
    if (this.catalogue) plan = await withCatalogue(plan, runbook, this.catalogue);
    for (const cell of plan.cells) this.plans.set(cell.id, cell);
    // The cells this run walks: those that run, and those it records as skipped with their reason.
    const walked = new Set(plan.cells.filter((c) => c.willRun || isOwnReason(c)).map((c) => c.id));
    // A resumed run answers for the whole run: the cells before the resume are selected too.
    const selected = plan.cells.filter((c) => walked.has(c.id) || this.statuses.has(c.id)).map((c) => c.id);
    this.emitter.emit(startEvent(this.opts, plan));
    for (const v of this.variables) this.emitter.emit(boundEvent(v));

    const missing = await this.askMissing(plan.neededValues);
    // Read from PowerShell's own parser, so it needs the run's pwsh session: after the plan, before preflight.
    this.needed = await commandsNeeded({
      cells: runbook.cells.filter((c) => this.plans.get(c.id)?.willRun === true),
      parserFor: (cell) => this.executors.parserFor(this.planFor(cell)),
      env: this.opts.env ?? process.env,
      cwdOf: (cell) => this.planFor(cell).cwd ?? dirname(resolve(runbook.path)),
    });
    const problems = await preflight({
      plan,
      runbook,
      mode,
      target: this.opts.target,
      missing,
      values: this.values,
      strict: this.opts.strict === true,
      parserFor: (cell) => this.executors.parserFor(cell),
      needed: this.needed,
    });
    const needs = [...this.needed].flatMap(([cell, list]) => list.map((n) => ({ cell, ...n })));
    this.emitter.emit({ type: 'run.preflight', problems, ...(needs.length ? { needs } : {}) });
    const fatal = problems.filter((p) => p.fatal);
    if (fatal.length || this.aborted) await this.executors.closeAll();
    if (fatal.length || this.aborted) {
      const notRun = [...walked].map((cell) => ({ cell, reason: this.aborted ? 'interrupted before the first cell' : 'preflight refused the run' }));
      return this.finish(started, selected.length, { status: this.aborted ? 'aborted' : 'failed', outcome: this.aborted ? 'interrupted' : 'refused', notRun }, fatal.map((p) => p.message));
    }

    try {
      let from: string | undefined;
      for (;;) {
        await this.walk(walked, from);
        if (this.aborted || this.quit) break;
        // After the last cell the operator may still go back (re-run a diagnostic to check a fix).
        const back = await this.ask(this.opts.operator.finish?.() ?? Promise.resolve());
        if (!back || back === ABORTED || !this.opts.runbook.cells.some((c) => c.id === back.to)) break;
        const at = this.opts.runbook.cells.find((c) => c.id === back.to) as Cell;
        this.record(at, back, at.source);
        from = back.to;
      }
    } finally {
      await this.executors.closeAll();
    }
    const outcome = runOutcome({
      selected,
      statuses: this.statuses,
      unavailable: this.unavailable,
      stoppedBecause: this.aborted ? 'not reached: the run was interrupted' : this.stoppedBecause,
      aborted: this.aborted,
      quit: this.quit,
    });
    return this.finish(started, selected.length, outcome, []);
  }

  /** The session's plan, or (a Runner made directly, as tests do) one made here by the plan module. */
  private async planOf(): Promise<RunPlan> {
    if (this.opts.plan) return this.opts.plan;
    const { runbook, mode, env, target, allowWrites } = this.opts;
    return planRun({ runbook, selection: this.opts.selection ?? {}, env: env ?? process.env, mode, allowWrites: allowWrites === true, target: () => target.kind });
  }

  /**
   * Asks the operator for each value still missing. A value that fails its pattern is
   * refused (its own event, with the reason) and asked for again, until a valid one or none.
   */
  private async askMissing(needed: string[]): Promise<string[]> {
    const missing: string[] = [];
    for (const name of needed.filter((n) => this.values[n] === undefined)) {
      const spec = specFor(this.opts.runbook, name);
      let value: string | undefined;
      let refused: string | undefined;
      while (value === undefined && this.opts.mode !== 'dry-run') {
        const answer = await this.ask(this.opts.operator.askVariable(spec, refused));
        if (answer === ABORTED || answer === undefined) break;
        const problem = validateValue(spec, answer);
        if (problem) {
          refused = problem;
          this.emitter.emit({ type: 'variable.refused', name, reason: problem });
        } else value = answer;
      }
      if (value === undefined) {
        missing.push(name);
        continue;
      }
      const variable: BoundVariable = { name, value, source: 'prompt', secret: isSecretVariable(spec) };
      this.bind(variable);
      this.emitter.emit(boundEvent(variable));
    }
    return missing;
  }

  private bind(variable: BoundVariable): void {
    this.values[variable.name] = variable.value;
    if (variable.secret) this.emitter.addSecrets([variable.value]);
  }

  /** Walks from the first planned cell, or from `start` (a cell the operator went back to). */
  private async walk(planned: ReadonlySet<string>, start?: string): Promise<void> {
    const all = this.opts.runbook.cells;
    const first = all.findIndex((c) => planned.has(c.id));
    let index = start ? all.findIndex((c) => c.id === start) : first >= 0 ? first : all.length;
    let forced: string | undefined = start;
    while (index < all.length && !this.aborted && !this.quit) {
      const cell = all[index] as Cell;
      if (!planned.has(cell.id) && forced !== cell.id) {
        index += 1;
        continue;
      }
      forced = undefined;
      const step = await this.visit(cell);
      if ('stop' in step) {
        this.stoppedBecause = step.stop;
        break;
      }
      if ('jump' in step) {
        const target = all.findIndex((c) => c.id === step.jump);
        if (target >= 0) {
          index = target;
          forced = step.jump;
          continue;
        }
      }
      index += 1;
    }
  }

  private async visit(cell: Cell): Promise<Step> {
    const plan = this.planFor(cell);
    // Its own reason, not the selection's: a cell the operator jumped to runs unless it cannot.
    const whyNot = ownReason(cell, plan.interpreter);
    // One record per decision: a cell skipped by rule is recorded once, not on every pass after a jump.
    const settled = this.statuses.has(cell.id);
    if (whyNot?.reason === 'skip-attribute') return settled ? { next: true } : this.skipped(cell, whyNot.message);
    // A dry run shows every cell, even one whose interpreter is missing (preflight names it).
    if (this.opts.mode === 'dry-run') return await this.dryRun(cell);
    if (whyNot) {
      if (settled) return { next: true };
      this.unavailable.set(cell.id, whyNot.message);
      return this.skipped(cell, whyNot.message);
    }
    const missingCommands = missingReason(this.needed.get(cell.id) ?? []);
    // Unattended, nobody can decide to run it anyway (--strict refused the run in preflight).
    if (missingCommands && this.opts.mode === 'unattended') {
      if (settled) return { next: true };
      this.unavailable.set(cell.id, missingCommands);
      return this.skipped(cell, missingCommands);
    }
    const missing = (this.needed.get(cell.id) ?? []).filter((n) => !n.found).map((n) => n.name);

    let source = cell.source;
    let effect = plan.effect;
    let attempts = this.attempts.get(cell.id) ?? 0;
    let lastStatus: CellStatus | undefined = this.statuses.get(cell.id);
    for (;;) {
      const decision = await this.ask(this.opts.operator.decide({ cell, source, attempts, lastStatus, effect, ...(missing.length ? { missing } : {}) }));
      if (decision === ABORTED) return { stop: 'not reached: the run was interrupted' };
      this.record(cell, decision, source);
      switch (decision.action) {
        case 'edit':
          source = decision.source;
          if (this.catalogue && cell.lang === 'sql') this.catalogue = await widenCatalogue(this.catalogue, this.opts.target.url, source);
          effect = (await planEffect(cell, source, this.catalogue)).effect;
          continue;
        case 'run':
        case 'retry': {
          attempts += 1;
          this.attempts.set(cell.id, attempts);
          lastStatus = await this.attempt(cell, source, effect, attempts + (this.opts.resume?.attempts?.[cell.id] ?? 0));
          if (this.aborted) return { stop: 'not reached: the run was interrupted' };
          const failed = lastStatus === 'failed' || lastStatus === 'timed-out';
          const tolerated = this.opts.keepGoing === true || cell.attributes.continueOnError === true;
          if (failed && this.opts.mode === 'unattended' && !tolerated) return { stop: `not reached: the run stopped after ${cell.id} ${lastStatus}` };
          continue;
        }
        case 'skip':
        case 'next':
          // A cell that already has a result keeps it: moving past it again records nothing new.
          if (attempts > 0 || this.statuses.has(cell.id)) return { next: true };
          return this.skipped(cell, decision.action === 'skip' && decision.reason ? decision.reason : 'skipped by operator');
        case 'jump':
          return { jump: decision.to };
        case 'quit':
          this.quit = true;
          return { stop: 'not reached: the operator quit' };
      }
    }
  }

  private record(cell: Cell, decision: Decision, before: string): void {
    if (decision.action === 'next') return;
    const body: EventBody = { type: 'operator.decision', cell: cell.id, action: decision.action, actor: this.opts.operator.actor };
    if (decision.action === 'edit') {
      body.source = decision.source;
      body.previous = before;
    }
    if (decision.action === 'jump') body.to = decision.to;
    if (decision.action === 'skip' && decision.reason) body.reason = decision.reason;
    this.emitter.emit(body);
  }

  /** One execution of a cell, behind the write guard. Resolves to its status. */
  private async attempt(cell: Cell, source: string, effect: Effect, attempt: number): Promise<CellStatus> {
    const { target, operator, mode, allowWrites } = this.opts;
    const plan = this.planFor(cell);
    // An edit can turn a read into a write: the guard is the plan's rule for the effect as it stands.
    const confirm = effect === plan.effect ? plan.confirm : planConfirm(cell, effect, { targetKind: target.kind, mode, allowWrites });
    if (confirm.required && !this.confirmed.has(cell.id)) {
      const approval = await this.ask(operator.confirmWrite(cell, target.name));
      if (approval === ABORTED) return 'cancelled';
      if (!approval) return this.finishCell(cell, 'skipped', 0, {}, `write to ${target.name} not confirmed: refused by the operator`);
      this.confirmed.add(cell.id);
      this.emitter.emit(approvalEvent(cell.id, approval, operator.actor));
    }
    const outcome = await executeCell({
      cell,
      plan,
      source,
      effect,
      attempt,
      values: this.values,
      options: this.opts,
      emitter: this.emitter,
      executors: this.executors,
      setCurrent: (controller) => {
        this.current = controller;
        this.currentCell = controller ? cell.id : undefined;
      },
    });
    return this.finishCell(cell, outcome.status, outcome.durationMs, outcome.result);
  }

  private finishCell(cell: Cell, status: CellStatus, durationMs: number, result: Partial<ExecutionResult>, reason?: string): CellStatus {
    this.statuses.set(cell.id, status);
    this.emitter.emit({
      type: 'cell.finished',
      cell: cell.id,
      status,
      durationMs,
      ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
      ...(result.error ? { error: result.error } : {}),
      ...(reason ? { reason } : {}),
    });
    return status;
  }

  private skipped(cell: Cell, reason: string): Step {
    this.finishCell(cell, 'skipped', 0, {}, reason);
    return { next: true };
  }

  /** Shows the cell as it would run (placeholders bound, secrets masked) and runs nothing. */
  private async dryRun(cell: Cell): Promise<Step> {
    let source = cell.source;
    try {
      // A PowerShell cell with values is bound by PowerShell's parser (a pwsh session, which runs nothing).
      const parser = await this.executors.parserFor(this.planFor(cell));
      source = (await prepareCell(cell, cell.source, this.values, this.opts.target, this.opts.env, parser)).source;
    } catch {
      // Shown as written; the real run would fail this cell with the binding's message.
    }
    this.emitter.emit({ type: 'cell.started', cell: cell.id, lang: cell.lang, line: cell.line, section: cell.section, source, attempt: 1 });
    return this.skipped(cell, 'dry run');
  }

  /** Waits for the operator, unless the run is aborted first. */
  private ask<T>(pending: Promise<T>): Promise<T | typeof ABORTED> {
    return this.aborted ? Promise.resolve(ABORTED) : Promise.race([pending, this.abortedPromise]);
  }

  private planFor(cell: Cell): CellPlan {
    const plan = this.plans.get(cell.id);
    if (!plan) throw new Error(`cell ${cell.id} is not in the run plan`);
    return plan;
  }

  private finish(started: number, selected: number, ended: Outcome, refused: string[]): RunSummary {
    const { status, outcome, notRun } = ended;
    const counts: Partial<Record<CellStatus, number>> = {};
    for (const s of this.statuses.values()) counts[s] = (counts[s] ?? 0) + 1;
    const reason = status === 'aborted' ? this.abortReason : undefined;
    this.emitter.emit({ type: 'run.finished', status, durationMs: Date.now() - started, counts, selected, ...(notRun.length ? { notRun } : {}), ...(reason ? { reason } : {}) });
    return { status, counts, outcome, refused, notRun };
  }
}

/** Not run for a reason of its own (the `skip` attribute, a missing interpreter), not the selection's. */
function isOwnReason(cell: CellPlan): boolean {
  return cell.whyNot?.reason === 'skip-attribute' || cell.whyNot?.reason === 'missing-interpreter';
}

/**
 * A write let through is recorded as what it was: the operator typing the target's name
 * (`confirm`, by typed), or the command line's flag (`allow-write`) with nobody typing.
 */
function approvalEvent(cell: string, approval: Exclude<WriteApproval, false>, actor: string): EventBody {
  if (approval === true) return { type: 'operator.decision', cell, action: 'confirm', by: 'typed', actor };
  return { type: 'operator.decision', cell, action: 'allow-write', flag: approval.flag, actor };
}
