/**
 * The escalation line: a paragraph starting with **Escalation:** or containing
 * "If unresolved in N min".
 */
import { budgetFromHeading } from './durations.js';

const LEAD = /^\s*escalation\s*:\s*/i;
const UNRESOLVED = /if (?:still )?unresolved (?:in|after|within) (\d+(?:\.\d+)?)\s*(ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\b/i;

export interface Escalation {
  text: string;
  afterMs?: number;
}

/** The escalation a paragraph's plain text states, if it states one. */
export function readEscalation(paragraph: string): Escalation | undefined {
  const text = paragraph.replace(/\s+/g, ' ').trim();
  const unresolved = UNRESOLVED.exec(text);
  if (!LEAD.test(text) && !unresolved) return undefined;
  const escalation: Escalation = { text: text.replace(LEAD, '') };
  if (unresolved) escalation.afterMs = budgetFromHeading(`(< ${unresolved[1]} ${unresolved[2]})`);
  return escalation;
}
