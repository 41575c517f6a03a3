/**
 * The runner walks a runbook's cells in order, asks the Operator before each cell and
 * after each finished one, runs cells through one executor per language family, and
 * emits every step as a RunEvent: stamped, redacted, written to the transcript first.
 */
import { noteFacts } from './note-marks.js';
import { checkBeforeRun } from './runner/before-run.js';
import { planAdhoc, preparePlan, replanCell, valuesNeededBy, type CellPlan, type Effect, type PrepareContext, type RunPlan } from './plan/index.js';
import { Emitter } from './runner/emitter.js';
import { BackgroundCells } from './runner/background.js';
import { cannotRun, cellsToWalk } from './runner/cannot-run.js';
import { ExecutorPool } from './runner/executors.js';
import { beforeFirstCell, runOutcome, type Outcome } from './runner/outcome.js';
import { newRunId, planOf, startEvent } from './runner/start.js';
import { languageOf } from './lang/language.js';
import { probeDatabase } from './lang/sql/probe.js';
import type { Catalogue } from './lang/sql/effects.js';
import { boundEvent, type BoundVariable } from './variables.js';
import { ABORTED, askForValues } from './runner/ask-values.js';
import { decisionEvent, runFinishedEvent } from './runner/records.js';
import { rehearsable, runAttempt, type AttemptDeps } from './runner/attempt.js';
import { adhocCell, nextAdhocId } from './runner/adhoc.js';
import { isSecretName } from './redact.js';
import { CellLedger } from './runner/ledger.js';
import { dryRunStarted } from './runner/dry-run.js';
import { rehearsalEvent } from './runner/rehearsal.js';
import { walkRun, type Step } from './runner/walk.js';
import { Interrupts } from './runner/interrupts.js';
import type { CellStatus, EventBody, EventSink } from './events.js';
import type { Decision } from './operator.js';
import type { Cell, ChecklistItem, Lang } from './runbook.js';
import type { RunnerOptions, RunSummary } from './runner/types.js';

export type { RunnerOptions, RunOutcome, RunSummary, ResumePoint, RunTranscript } from './runner/types.js';

/** Cells with these results are done: the walk passes them unless the operator goes to one. */
const SETTLED = new Set<CellStatus>(['succeeded', 'skipped']);

export class Runner {
  readonly runId: string;
  private readonly emitter: Emitter;
  private readonly executors: ExecutorPool;
  private readonly ledger: CellLedger;
  private readonly background = new BackgroundCells((cell, status, durationMs, result, reason) => this.ledger.finish(cell, status, durationMs, result, reason));
  /** Each cell's plan: the session's, completed by the prepare step before run.started (plan/prepare.ts). */
  private readonly plans = new Map<string, CellPlan>();
  /** The whole plan, for what a cell's prompted `export` offers when its values are asked. */
  private runPlan?: RunPlan;
  private stoppedBecause?: string;
  /** Cells whose last attempt could not reach the database. */
  private readonly unreachable = new Set<string>();
  /** The cell the walk visited last: where a jump after the last cell comes from. */
  private lastVisited?: Cell;
  /** Planned cells a jump forward passed and nothing ran since: run.finished says "jumped over". */
  private readonly jumpedOver = new Set<string>();
  /** The operator's edit of each cell and its plan (replanCell): what every later attempt runs, on any visit. */
  private readonly edits = new Map<string, { source: string; plan: CellPlan }>();
  /** The target's volatility of what the SQL cells call; undefined without a database (built-ins decide). */
  private catalogue?: Catalogue;
  private readonly values: Record<string, string> = {};
  private readonly variables: BoundVariable[];
  private readonly interrupts = new Interrupts();
  private quit = false;
  /** The number of the last ad-hoc cell (adhoc-1, adhoc-2…). */
  private adhocCount = 0;
  private started = false;

  constructor(private readonly opts: RunnerOptions) {
    this.runId = opts.resume?.runId ?? opts.runId ?? newRunId();
    this.emitter = new Emitter(this.runId, opts.resume?.nextSeq ?? 0, opts.transcript);
    this.emitter.addUrl(opts.target.url);
    this.emitter.addSecrets(opts.secrets ?? []);
    this.variables = [...opts.variables];
    for (const v of this.variables) this.bind(v);
    for (const sink of opts.sinks ?? []) this.emitter.subscribe(sink);
    this.ledger = new CellLedger((body, effect) => this.emitter.emit(body, effect), opts.resume);
    this.executors = new ExecutorPool(opts.target);
    // Not when the session opens: on two cores pwsh's start then slowed the console's loading,
    // and its first frame, by ~20%; not when run() first parses, after the database probe.
    if (opts.plan) this.executors.startParsers(opts.plan.cells);
  }

  subscribe(sink: EventSink): () => void {
    return this.emitter.subscribe(sink);
  }

  note(text: string, cell?: string): void {
    this.emitter.emit({ type: 'operator.note', text, actor: this.opts.operator.actor, ...(cell ? { cell } : {}), ...noteFacts(text, new Date()) });
  }

  /** A fact from beside the walk (a notifier that stopped, the escalation time it watches): into the transcript like any event. */
  recordBeside(body: Extract<EventBody, { type: 'notify.failed' | 'run.escalation' }>): void {
    this.emitter.emit(body);
  }

  tick(item: ChecklistItem, checked: boolean): void {
    this.emitter.emit({ type: 'checklist.ticked', item: item.text, checked, line: item.line, actor: this.opts.operator.actor });
  }

  /** Cancels the running cell only (recorded as the operator's `cancel`); the operator decides what happens next. */
  cancelCurrent(): void {
    this.interrupts.cancel((cell) => this.emitter.emit({ type: 'operator.decision', cell, action: 'cancel', actor: this.opts.operator.actor }));
  }

  /** SIGINT, SIGHUP, stdout closed…: cancel the running cell, stop asking, finish the run as aborted (with the reason). */
  abort(reason?: string): void {
    this.interrupts.abort(reason);
  }

  private get aborted(): boolean {
    return this.interrupts.aborted;
  }

  async run(): Promise<RunSummary> {
    if (this.started) throw new Error('a Runner runs once; create another for another run');
    this.started = true;
    const started = Date.now();
    const { runbook, mode } = this.opts;
    // Connected now (the command validated and planned first): the target's catalogue decides what its functions do.
    const probe = mode !== 'dry-run' ? await probeDatabase(this.opts.target.url, runbook.cells) : undefined;
    this.catalogue = probe?.catalogue;
    // The plan completed before run.started: what the commands need is read in the run's own pwsh session.
    const plan = await preparePlan(await planOf(this.opts), this.prepareContext());
    for (const cell of plan.cells) this.plans.set(cell.id, cell);
    this.runPlan = plan;
    const { walked, selected } = cellsToWalk(plan, this.ledger.statuses);
    this.emitter.emit(startEvent(this.opts, plan));
    for (const attempt of this.opts.resume?.settled ?? []) this.ledger.settle(attempt);
    for (const v of this.variables) this.emitter.emit(boundEvent(v));

    const env = this.opts.env ?? process.env;
    // The console asks each cell's values when the operator runs it (visit); the others, now.
    const missing = await askForValues({
      needed: mode === 'interactive' ? [] : plan.neededValues,
      values: this.values,
      runbook,
      plan,
      env,
      mode,
      operator: this.opts.operator,
      ask: (pending) => this.ask(pending),
      bind: (variable) => this.bind(variable),
      emit: (body) => this.emitter.emit(body),
    });
    const { problems, event } = await checkBeforeRun({
      plan,
      runbook,
      mode,
      target: this.opts.target,
      missing,
      values: this.values,
      strict: this.opts.strict === true,
      executors: this.executors,
      ...(probe ? { probe } : {}),
    });
    this.emitter.emit(event);
    const fatal = problems.filter((p) => p.fatal);
    if (fatal.length || this.aborted) {
      await this.executors.closeAll();
      return this.finish(started, selected.length, beforeFirstCell(walked, this.aborted), fatal.map((p) => p.message));
    }

    try {
      const stopped = await walkRun({
        cells: runbook.cells,
        planned: walked,
        visit: (cell) => this.visit(cell),
        settled: (cell) => SETTLED.has(this.ledger.statuses.get(cell) as CellStatus),
        done: () => this.aborted || this.quit,
        goBack: () => this.goBack(),
        jumpedOver: (cells) => cells.forEach((id) => this.jumpedOver.add(id)),
      });
      if (stopped) this.stoppedBecause = stopped;
    } finally {
      // However the walk ended: background cells are stopped and recorded before the executors close.
      await this.background.stopAll();
      await this.executors.closeAll();
    }
    const outcome = runOutcome({
      selected,
      statuses: this.ledger.statuses,
      unavailable: this.ledger.unavailable,
      stoppedBecause: this.aborted ? 'not reached: the run was interrupted' : this.stoppedBecause,
      aborted: this.aborted,
      quit: this.quit,
      stoppedAtEnd: this.background.stoppedAtEnd,
      jumpedOver: this.jumpedOver,
    });
    return this.finish(started, selected.length, outcome, []);
  }

  private bind(variable: BoundVariable): void {
    this.values[variable.name] = variable.value;
    if (variable.secret) this.emitter.addSecrets([variable.value]);
  }

  /** After the last cell: the cell the operator goes back to, recorded, or undefined to end the run. */
  private async goBack(): Promise<string | undefined> {
    const back = await this.ask(this.opts.operator.finish?.() ?? Promise.resolve());
    if (!back || back === ABORTED) return undefined;
    const at = this.opts.runbook.cells.find((c) => c.id === back.to);
    if (!at) return undefined;
    // Recorded from where the operator was; going back to that very cell is no jump.
    const from = this.lastVisited ?? at;
    if (from.id !== at.id) this.record(from, back, from.source);
    return back.to;
  }

  private async visit(cell: Cell): Promise<Step> {
    this.lastVisited = cell;
    const plan = this.planFor(cell);
    const blocked = cannotRun(plan, this.opts.mode);
    if (blocked) {
      // One record per decision: a cell skipped by rule is recorded once, not on every pass after a jump.
      if (this.ledger.statuses.has(cell.id)) return { next: true };
      return this.skipped(cell, blocked.message, blocked.by === 'unavailable');
    }
    if (this.opts.mode === 'dry-run') {
      const shown = await dryRunStarted(cell, plan, this.executors, this.values, this.opts.target, this.opts.env);
      this.emitter.emit(shown);
      // --rehearse: what each SQL write would do, run and rolled back on the target.
      if (this.opts.rehearse && rehearsable(cell) && plan.effect === 'write' && shown.type === 'cell.started') {
        this.emitter.emit(await rehearsalEvent(cell, shown.source, this.values, this.opts.target, this.catalogue));
      }
      return this.skipped(cell, 'dry run');
    }
    let { source, plan: attemptPlan } = this.edits.get(cell.id) ?? { source: cell.source, plan };
    let attempts = this.ledger.attemptsOf(cell.id);
    let lastStatus: CellStatus | undefined = this.ledger.statuses.get(cell.id);
    for (;;) {
      const unreachable = this.unreachable.has(cell.id);
      const asks = this.lacking(plan);
      const { effect } = attemptPlan;
      const missing = missingOf(attemptPlan);
      const decision = await this.ask(
        this.opts.operator.decide({ cell, source, attempts, lastStatus, effect, ...(missing.length ? { missing } : {}), ...(unreachable ? { unreachable } : {}), ...(asks.length ? { asks } : {}) }),
      );
      if (decision === ABORTED) return { stop: 'not reached: the run was interrupted' };
      // A jump to the cell the operator is on moves nothing: not recorded as a jump.
      if (decision.action === 'jump' && decision.to === cell.id) continue;
      this.record(cell, decision, source, decision.action === 'run' || decision.action === 'retry' ? effect : undefined);
      switch (decision.action) {
        case 'edit': {
          source = decision.source;
          // The target's catalogue hook: an edit may call functions no cell called before.
          const widen = languageOf(cell).widenCatalogue;
          if (this.catalogue && widen) this.catalogue = await widen(this.catalogue, this.opts.target.url, source);
          attemptPlan = await replanCell(this.runPlan as RunPlan, plan, cell, source, this.prepareContext());
          this.edits.set(cell.id, { source, plan: attemptPlan });
          continue;
        }
        case 'run':
        case 'retry': {
          const unset = await this.askValuesOf(cell, plan);
          if (this.aborted) return { stop: 'not reached: the run was interrupted' };
          if (unset.length) {
            const reason = `no value for ${unset.map((name) => `<${name}>`).join(', ')}`;
            if (attempts > 0 || this.ledger.statuses.has(cell.id)) continue;
            return this.skipped(cell, reason);
          }
          const attempt = this.ledger.countAttempt(cell.id);
          attempts += 1;
          lastStatus = await this.attempt(cell, source, attemptPlan, attempt, attemptPlan !== plan);
          if (this.aborted) return { stop: 'not reached: the run was interrupted' };
          // Started in the background: nothing to decide about it until it ends; the walk goes on.
          if (lastStatus === undefined) return { next: true };
          const failed = lastStatus === 'failed' || lastStatus === 'timed-out';
          const tolerated = this.opts.keepGoing === true || cell.attributes.continueOnError === true;
          if (failed && this.opts.mode === 'unattended' && !tolerated) return { stop: `not reached: the run stopped after ${cell.id} ${lastStatus}` };
          continue;
        }
        case 'skip':
        case 'next':
          // A cell that already has a result keeps it: moving past it again records nothing new.
          if (attempts > 0 || this.ledger.statuses.has(cell.id)) return { next: true };
          return this.skipped(cell, decision.action === 'skip' && decision.reason ? decision.reason : 'skipped by operator');
        case 'adhoc':
          await this.adhoc(cell, decision.lang, decision.source);
          if (this.aborted) return { stop: 'not reached: the run was interrupted' };
          continue;
        case 'jump':
          return { jump: decision.to };
        case 'quit':
          this.quit = true;
          return { stop: 'not reached: the operator quit' };
      }
    }
  }

  /** The values a cell uses that are not bound yet. */
  private lacking(plan: CellPlan): string[] {
    return valuesNeededBy([plan]).filter((name) => this.values[name] === undefined);
  }

  /** The console, as the operator runs the cell: asks its values not bound yet; resolves to those left unset. */
  private async askValuesOf(cell: Cell, plan: CellPlan): Promise<string[]> {
    const needed = this.lacking(plan);
    if (needed.length === 0) return [];
    const { runbook, mode, operator } = this.opts;
    return askForValues({
      needed,
      values: this.values,
      runbook,
      ...(this.runPlan ? { plan: this.runPlan } : {}),
      env: this.opts.env ?? process.env,
      mode,
      operator,
      cell: cell.id,
      ask: (pending) => this.ask(pending),
      bind: (variable) => this.bind(variable),
      emit: (body) => this.emitter.emit(body),
    });
  }

  /** `effect`: the planned effect of the cell decided about, when the decision is about running it. */
  private record(cell: Cell, decision: Decision, before: string, effect?: Effect): void {
    const body = decisionEvent(cell.id, decision, before, this.opts.operator.actor);
    if (body) this.emitter.emit(body, effect);
  }

  /** What the prepare step and replanCell are given: the run's pwsh session for commands, the target's catalogue. */
  private prepareContext(): PrepareContext {
    return {
      runbook: this.opts.runbook,
      env: this.opts.env ?? process.env,
      ...(this.catalogue ? { catalogue: this.catalogue } : {}),
      parserFor: (plan) => this.executors.parserFor(plan),
    };
  }

  /** A cell typed in the console at `at`: planned like the runbook's, its missing values asked for, run behind the same guard. */
  private async adhoc(at: Cell, lang: Lang, source: string): Promise<void> {
    const { id, n } = nextAdhocId(new Set([...this.opts.runbook.cells.map((c) => c.id), ...this.plans.keys()]), this.adhocCount + 1);
    this.adhocCount = n;
    const cell = adhocCell(at, lang, source, id);
    const { env, mode, allowWrites, target } = this.opts;
    this.plans.set(id, await planAdhoc(cell, this.opts.runbook, { env: env ?? process.env, mode, allowWrites: allowWrites === true, targetKind: target.kind, ...(this.catalogue ? { catalogue: this.catalogue } : {}) }));
    for (const name of cell.placeholders.filter((p) => !(p in this.values))) {
      const spec = this.opts.runbook.variables?.find((v) => v.name === name) ?? { name };
      const value = await this.ask(this.opts.operator.askVariable(spec));
      if (value === ABORTED) return;
      if (value !== undefined) {
        const variable = { name, value, source: 'prompt' as const, secret: spec.secret === true || isSecretName(name) };
        this.bind(variable);
        this.emitter.emit(boundEvent(variable));
      }
    }
    await this.attempt(cell, source, this.planFor(cell), 1, true, at.id);
  }

  /** The runner's parts an attempt uses (runner/attempt.ts): shared, never copied. */
  private get attemptDeps(): AttemptDeps {
    const { emitter, executors, ledger, background, interrupts, values, unreachable, catalogue } = this;
    return { options: this.opts, emitter, executors, ledger, background, interrupts, values, unreachable, ...(catalogue ? { catalogue } : {}), ask: (pending) => this.ask(pending) };
  }

  /** One execution of a cell with its attempt's plan, behind the write guard (runner/attempt.ts). */
  private attempt(cell: Cell, source: string, plan: CellPlan, attempt: number, replanned: boolean, adhocAt?: string): Promise<CellStatus | undefined> {
    return runAttempt(this.attemptDeps, { cell, source, plan, attempt, replanned, ...(adhocAt !== undefined ? { adhocAt } : {}) });
  }

  private skipped(cell: Cell, reason: string, unavailable?: boolean): Step {
    this.ledger.finish(cell.id, 'skipped', 0, {}, reason, unavailable);
    return { next: true };
  }

  private ask<T>(pending: Promise<T>): Promise<T | typeof ABORTED> {
    return this.interrupts.ask(pending);
  }

  private planFor(cell: Cell): CellPlan {
    const plan = this.plans.get(cell.id);
    if (!plan) throw new Error(`cell ${cell.id} is not in the run plan`);
    return plan;
  }

  private finish(started: number, selected: number, ended: Outcome, refused: string[]): RunSummary {
    const reason = ended.status === 'aborted' ? this.interrupts.reason : undefined;
    const { body, counts } = runFinishedEvent(ended, this.ledger.statuses, Date.now() - started, selected, reason);
    this.emitter.emit(body);
    return { status: ended.status, counts, outcome: ended.outcome, refused, notRun: ended.notRun };
  }
}

/** The programs an attempt's plan calls that are not installed, by name. */
function missingOf(plan: CellPlan): string[] {
  return (plan.needs ?? []).filter((n) => !n.found).map((n) => n.name);
}
