/**
 * Where bash evaluates text as arithmetic, a variable's contents are code too:
 * `$(( X ))` with X='a[$(touch f)]' runs `touch`, quoted or not. These helpers tell
 * whether a placeholder sits in such a place, beyond the `$((…))`, `((…))`, `$[…]`,
 * `${x:off:len}` and array-subscript frames the scanner tracks itself:
 * - an operand of `-eq -ne -lt -le -gt -ge` in `[[ … ]]` (the whole `&&`/`||` clause
 *   counts, so `[[ "a <X>" -gt 1 ]]` is caught too);
 * - an argument of `let`, or of `declare -i` / `local -i` / `typeset -i`;
 * - an assignment to a name the cell declares integer (`declare -i n; n=<X>`).
 * Being wrong on the safe side only refuses a non-integer value; never the reverse.
 */
import { InputError } from '../../errors.js';

const LEAD = String.raw`^\s*(?:(?:if|then|else|elif|while|until|do|time|!|\{|\()\s+)*`;
const LET = new RegExp(`${LEAD}let\\s`);
const DECLARE_INTEGER = new RegExp(`${LEAD}(?:declare|typeset|local|export|readonly)\\s+(?:[-+][A-Za-z]*\\s+)*-[A-Za-z]*i`);
const ASSIGNMENT = new RegExp(`${LEAD}(?:[A-Za-z_][A-Za-z0-9_]*=\\S*\\s+)*([A-Za-z_][A-Za-z0-9_]*)(?:\\[[^\\]]*\\])?\\+?=`);
const ARITHMETIC_TEST = /(?:^|\s)-(?:eq|ne|lt|le|gt|ge)(?=\s|$)/;

/** Names the source declares integer (`declare -i n`, `local -ir n=1`): assigning to them evaluates. */
export function integerNames(source: string): Set<string> {
  const names = new Set<string>();
  for (const match of source.matchAll(/\b(?:declare|typeset|local|export|readonly)\s+((?:[-+][A-Za-z]*\s+)*-[A-Za-z]*i[A-Za-z]*(?:\s+[-+][A-Za-z]*)*)\s+([^;&|\n]*)/g)) {
    for (const word of match[2]!.split(/\s+/)) {
      const name = /^([A-Za-z_][A-Za-z0-9_]*)/.exec(word)?.[1];
      if (name) names.add(name);
    }
  }
  return names;
}

/** The command that starts at `commandText` (up to the placeholder) evaluates its words as arithmetic. */
export function arithmeticCommand(commandText: string, integers: ReadonlySet<string>): boolean {
  if (LET.test(commandText) || DECLARE_INTEGER.test(commandText)) return true;
  const assigned = ASSIGNMENT.exec(commandText)?.[1];
  return assigned !== undefined && integers.has(assigned);
}

/** `[[ … ]]` opened at `open`: is the `&&`/`||` clause around offset `at` an arithmetic comparison? */
export function arithmeticTestClause(source: string, open: number, at: number): boolean {
  const before = source.slice(open + 2, at);
  const left = before.slice(Math.max(before.lastIndexOf('&&'), before.lastIndexOf('||')) + 1);
  const after = source.slice(at);
  const stops = ['&&', '||', ']]'].map((s) => after.indexOf(s)).filter((i) => i >= 0);
  const right = after.slice(0, stops.length ? Math.min(...stops) : after.length);
  return ARITHMETIC_TEST.test(`${left} ${right}`);
}

/**
 * A value bash may evaluate: only an integer (no leading zeros, which bash reads as octal).
 * It is pasted as a number, in parentheses when negative so `1-<N>` stays a subtraction
 * (not inside `[[ … ]]`, where parentheses group tests).
 */
export function integerLiteral(name: string, value: string, line: number, parenthesise = true): string {
  if (!/^-?(?:0|[1-9][0-9]*)$/.test(value)) {
    throw new InputError(
      `<${name}> at line ${line} of the cell is used in shell arithmetic ($((…)), ((…)), [[ -gt ]], let, an array index), where bash runs a value as code: it takes an integer only; pass e.g. --var ${name}=10`,
    );
  }
  return parenthesise && value.startsWith('-') ? `(${value})` : value;
}
