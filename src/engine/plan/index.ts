/** The run plan: one place for every fact about a cell that more than one layer reads. */
export { ownReason, planAdhoc, planRun, valuesNeededBy, type PlanInput } from './build.js';
export { preparePlan, replanCell, type PrepareContext } from './prepare.js';
export { planConfirm, type GuardContext } from './confirm.js';
export { planEffect } from './effect.js';
export { planInterpreter, programName } from './interpreter.js';
export { isRunmeNotebook, planPrompts } from './prompts.js';
export { findProgram, onPath, powershellInterpreter } from '../process/which.js';
export type { CellPlan, ConfirmPlan, Effect, EffectPlan, InterpreterPlan, PromptPlan, ResumeSelection, RunPlan, Selection, WhyNot, WhyNotReason } from './types.js';
