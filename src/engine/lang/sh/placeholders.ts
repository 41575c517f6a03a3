/**
 * Binds `<NAME>` placeholders in sh/bash so a value reaches the shell as data, never as
 * code. The scanner follows the shell's own nesting (quotes, `$(…)`, backquotes, `${…}`,
 * heredocs, arithmetic) and binds by the innermost context:
 * - arithmetic (`$((…))`, `((…))`, `$[…]`, array subscripts, `${x:off:len}`, `[[ -gt ]]`,
 *   `let`, `declare -i`, and anything nested inside them): bash evaluates a value there,
 *   so only an integer is accepted and it is written as a number (see sh-arithmetic.ts);
 * - code: `"${RUNBOOK_VAR_NAME}"` (quoted: no word splitting, no globbing);
 * - inside `"…"`, `${…}` within quotes, and unquoted heredoc bodies: `${RUNBOOK_VAR_NAME}`;
 * - inside `'…'` or `$'…'`: close and reopen, `'abc<N>'` → `'abc'"${…}"''`;
 * - comments stay as written; a quoted heredoc (`<<'EOF'`) cannot see variables, so a
 *   placeholder there is refused.
 * Heredocs are recognised only where the shell recognises them: `$((1<<4))` and
 * `((x <<= 2))` are shifts, `<<<` is a here-string.
 */
import { InputError } from '../../errors.js';
import { lineAt, longestFirst, placeholderAt } from '../../placeholders/names.js';
import { arithmeticCommand, arithmeticTestClause, integerLiteral, integerNames } from './arithmetic.js';
import { reparsedWord, safeForm, splitWords, stdinReader } from './reparsed.js';

type Frame =
  | { kind: 'code'; closer: '' | ')' | '`'; depth: number; cmdStart: number; test?: number; array?: boolean }
  | { kind: 'dq' }
  | { kind: 'heredoc' }
  | { kind: 'arith'; closer: '))' | ']' | '}'; depth: number }
  | { kind: 'param'; quoted: boolean; fresh: boolean; depth: number };

interface Heredoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
  /** The program that reads the body, when it runs it as code (`psql`, `bash`, `ssh`…). */
  reader?: string;
}

/** A placeholder the binder refuses, with where it stands (for lint's column). */
export class ShBindingRefusal extends InputError {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

export interface ShBinding {
  /** The variable that carries a placeholder's value. */
  envName(name: string): string;
  /** The value itself: arithmetic contexts check it is an integer. */
  valueOf(name: string): string;
}

interface Scan extends ShBinding {
  source: string;
  sorted: string[];
  integers: Set<string>;
}

const WORD_BREAK = /[\s;&|()<>]/;
const COMMAND_START = /^\s*(?:(?:if|then|else|elif|while|until|do|time|!|for)\s*)*$/;
/** `name=(` or `name+=(` at a word start: an array's compound assignment. */
const COMPOUND_ASSIGNMENT = /(?:^|[\s;&|(){}])[A-Za-z_][A-Za-z0-9_]*\+?=$/;
const HEREDOC_OP = /^<<(-?)[ \t]*((?:'[^']*'|"[^"]*"|\\.|[^\s;&|<>()'"\\])+)/;

export function bindSh(source: string, names: readonly string[], binding: ShBinding): string {
  if (names.length === 0) return source;
  const scan: Scan = { ...binding, source, sorted: longestFirst(names), integers: integerNames(source) };
  return scanRange(scan, 0, source.length, [{ kind: 'code', closer: '', depth: 0, cmdStart: 0 }]);
}

function scanRange(scan: Scan, from: number, to: number, stack: Frame[]): string {
  const { source } = scan;
  const pending: Heredoc[] = [];
  let out = '';
  let at = from;
  const copy = (n: number) => {
    out += source.slice(at, at + n);
    at += n;
  };
  while (at < to) {
    const frame = stack.at(-1)!;
    const char = source[at]!;
    const next = source[at + 1];
    const name = placeholderAt(source, at, scan.sorted);
    if (name !== undefined && at + name.length + 2 <= to) {
      out += bindHere(scan, stack, name, at);
      at += name.length + 2;
      continue;
    }
    if (char === '\\') {
      copy(2);
      continue;
    }
    if (frame.kind === 'param' && frame.fresh) {
      frame.fresh = char === '[';
      if (char === '[') {
        stack.push({ kind: 'arith', closer: ']', depth: 0 });
        copy(1);
        continue;
      }
      if (char === ':' && next !== undefined && !'-=?+'.includes(next)) {
        // `${x:offset:length}`: both are arithmetic, up to the closing brace.
        stack.pop();
        stack.push({ kind: 'arith', closer: '}', depth: 0 });
        copy(1);
        continue;
      }
    }
    if (char === '$' && next === '(' && source[at + 2] === '(') {
      stack.push({ kind: 'arith', closer: '))', depth: 0 });
      copy(3);
      continue;
    }
    if (char === '$' && next === '(') {
      stack.push({ kind: 'code', closer: ')', depth: 0, cmdStart: at + 2 });
      copy(2);
      continue;
    }
    if (char === '$' && next === '[') {
      stack.push({ kind: 'arith', closer: ']', depth: 0 });
      copy(2);
      continue;
    }
    if (char === '$' && next === '{') {
      const head = /^\$\{[#!]?(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])?/.exec(source.slice(at, at + 260))![0];
      const quoted = frame.kind === 'dq' || frame.kind === 'heredoc' || (frame.kind === 'param' && frame.quoted);
      stack.push({ kind: 'param', quoted, fresh: true, depth: 0 });
      copy(head.length);
      continue;
    }
    if (char === '`') {
      if (frame.kind === 'code' && frame.closer === '`') stack.pop();
      else stack.push({ kind: 'code', closer: '`', depth: 0, cmdStart: at + 1 });
      copy(1);
      continue;
    }
    switch (frame.kind) {
      case 'dq':
        if (char === '"') stack.pop();
        copy(1);
        continue;
      case 'heredoc':
        copy(1);
        continue;
      case 'arith':
        if (char === '"') stack.push({ kind: 'dq' });
        else if (frame.closer === '))' && frame.depth === 0 && source.startsWith('))', at)) {
          stack.pop();
          copy(2);
          continue;
        } else if (frame.depth === 0 && char === frame.closer) stack.pop();
        else if (char === '(' || char === '[') frame.depth++;
        else if (char === ')' || char === ']') frame.depth--;
        copy(1);
        continue;
      case 'param':
        if (char === '}' && frame.depth === 0) stack.pop();
        else if (char === '{') frame.depth++;
        else if (char === '}') frame.depth--;
        else if (char === '"') stack.push({ kind: 'dq' });
        else if (char === "'" && !frame.quoted) {
          at = singleQuoted(scan, at, false, (text) => (out += text));
          continue;
        }
        copy(1);
        continue;
      case 'code':
        break;
    }
    // Code.
    if (char === '\n' && pending.length > 0) {
      out += '\n';
      at = heredocBodies(scan, at + 1, to, pending.splice(0), (text) => (out += text));
      frame.cmdStart = at;
      continue;
    }
    const wordStart = at === 0 || WORD_BREAK.test(source[at - 1]!);
    if (char === '#' && wordStart) {
      const end = Math.min(lineEnd(source, at), to);
      out += source.slice(at, end);
      at = end;
    } else if (char === "'" || (char === '$' && next === "'")) {
      at = singleQuoted(scan, at, char === '$', (text) => (out += text), stack);
    } else if (char === '"') {
      stack.push({ kind: 'dq' });
      copy(1);
    } else if (char === '<' && next === '<' && source[at + 2] === '<') {
      copy(3);
    } else if (char === '<' && next === '<') {
      const heredoc = HEREDOC_OP.exec(source.slice(at, to));
      if (heredoc) {
        const word = heredoc[2]!;
        const reader = stdinReader(splitWords(source.slice(frame.cmdStart, at)).words, source.slice(at, lineEnd(source, at)));
        pending.push({ delimiter: word.replace(/'([^']*)'|"([^"]*)"|\\(.)/g, '$1$2$3'), quoted: /['"\\]/.test(word), stripTabs: heredoc[1] === '-', ...(reader ? { reader } : {}) });
        copy(heredoc[0].length);
      } else copy(2);
    } else if (char === '(' && next === '(' && COMMAND_START.test(source.slice(frame.cmdStart, at))) {
      stack.push({ kind: 'arith', closer: '))', depth: 0 });
      copy(2);
    } else if (char === '[' && next === '[' && wordStart && /\s/.test(source[at + 2] ?? '')) {
      frame.test = at;
      copy(2);
    } else if (char === ']' && next === ']' && frame.test !== undefined && /\s/.test(source[at - 1] ?? '')) {
      frame.test = undefined;
      copy(2);
    } else if (char === '(' && COMPOUND_ASSIGNMENT.test(source.slice(Math.max(0, at - 256), at))) {
      // `a=(…)`, `declare -a a=(…)`: `[i]=v` inside is an indexed assignment, its subscript arithmetic.
      stack.push({ kind: 'code', closer: ')', depth: 0, cmdStart: at + 1, array: true });
      copy(1);
    } else if (char === '[' && (isAssignmentSubscript(source, at, frame.cmdStart) || (frame.array === true && wordStart))) {
      stack.push({ kind: 'arith', closer: ']', depth: 0 });
      copy(1);
    } else {
      if (frame.closer === ')' && char === '(') frame.depth++;
      if (frame.closer === ')' && char === ')' && frame.depth-- === 0) stack.pop();
      copy(1);
      if (/[;&|(){}\n]/.test(char)) frame.cmdStart = at;
    }
  }
  return out;
}

/** The text that replaces `<name>` at `at`, given every frame around it. */
function bindHere(scan: Scan, stack: Frame[], name: string, at: number): string {
  refuseReparsed(scan, stack, name, at);
  // In `[[ … ]]` parentheses group tests, so a negative number goes bare there.
  const expression = stack.some(
    (frame) => frame.kind === 'arith' || (frame.kind === 'code' && arithmeticCommand(scan.source.slice(frame.cmdStart, at), scan.integers)),
  ) || nameSubscript(scan, stack, at);
  const test = !expression && stack.some((frame) => frame.kind === 'code' && frame.test !== undefined && arithmeticTestClause(scan.source, frame.test, at));
  if (expression || test) return integerLiteral(name, scan.valueOf(name), lineAt(scan.source, at), expression);
  const frame = stack.at(-1)!;
  const reference = `\${${scan.envName(name)}}`;
  const quoted = frame.kind === 'dq' || frame.kind === 'heredoc' || (frame.kind === 'param' && frame.quoted);
  return quoted ? reference : `"${reference}"`;
}

/**
 * Refuses a placeholder that some command around it parses again as code (sh/reparsed.ts):
 * each enclosing command is asked, so `bash -c "$(echo <X>)"` is caught by `bash -c`.
 */
function refuseReparsed(scan: Scan, stack: readonly Frame[], name: string, at: number): void {
  for (const frame of stack) {
    if (frame.kind !== 'code' || frame.array) continue;
    const { words, open } = splitWords(scan.source.slice(frame.cmdStart, at));
    const k = open ? words.length - 1 : words.length;
    const hereString = words[k]?.text.startsWith('<<<') || words[k - 1]?.text === '<<<';
    const reader = hereString ? stdinReader(words.slice(0, words[k]?.text.startsWith('<<<') ? k : Math.max(0, k - 1)), '') : undefined;
    const why = reader ? `a here-string read by ${reader}, which runs it as code` : reparsedWord(words, k);
    if (why) {
      throw new ShBindingRefusal(`<${name}> at line ${lineAt(scan.source, at)} of the cell sits in ${why}: the value would run as code; ${safeForm(name, reader ?? why)}`, at);
    }
  }
}

/** Builtins that take variable names, where `a[<X>]` is a subscript bash evaluates. */
const NAME_TAKERS = /^(?:unset|printf|read|declare|typeset|local|export|readonly|test|\[|mapfile|readarray|wait|getopts|let)$/;

/** `unset "a[<X>]"`, `printf -v 'a[<X>]'`, `[[ -v a[<X>] ]]`: the placeholder is inside a name's subscript. */
function nameSubscript(scan: Scan, stack: readonly Frame[], at: number): boolean {
  const frame = stack.findLast((f) => f.kind === 'code');
  if (!frame || frame.kind !== 'code') return false;
  const { words, open } = splitWords(scan.source.slice(frame.cmdStart, at));
  if (!open || !/^[A-Za-z_][A-Za-z0-9_]*\[[^\]]*$/.test(words.at(-1)!.text)) return false;
  if (frame.test !== undefined && words.at(-2)?.text === '-v') return true;
  const command = words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(w.text));
  return command !== undefined && NAME_TAKERS.test(command.text);
}

/** `name[…]=` or `name[…]+=` at a word start: an indexed assignment, whose subscript bash evaluates. */
function isAssignmentSubscript(source: string, open: number, cmdStart: number): boolean {
  if (!/(?:^|[\s;&|(){}])[A-Za-z_][A-Za-z0-9_]*$/.test(source.slice(Math.max(cmdStart, open - 256), open))) return false;
  const close = source.indexOf(']', open);
  return close > 0 && /^\+?=/.test(source.slice(close + 1, close + 3));
}

/** A `'…'` (or `$'…'`) string at `at`; placeholders inside become references between reopened quotes. */
function singleQuoted(scan: Scan, at: number, ansi: boolean, write: (text: string) => void, stack: readonly Frame[] = []): number {
  const { source } = scan;
  const open = ansi ? at + 1 : at;
  let end = -1;
  for (let i = open + 1; i < source.length; i++) {
    if (ansi && source[i] === '\\') i++;
    else if (source[i] === "'") {
      end = i + 1;
      break;
    }
  }
  // An unterminated quote is the shell's syntax error to report; it is copied as written.
  if (end < 0) {
    write(source.slice(at));
    return source.length;
  }
  const body = source.slice(open + 1, end - 1);
  const opener = ansi ? "$'" : "'";
  let result = '';
  let literal = '';
  for (let i = 0; i < body.length; i++) {
    const name = placeholderAt(body, i, scan.sorted);
    if (name === undefined) {
      literal += body[i];
      continue;
    }
    const offset = open + 1 + i;
    refuseReparsed(scan, stack, name, offset);
    if (nameSubscript(scan, stack, offset)) {
      // `unset 'a[<X>]'`: the subscript is arithmetic, so only a number goes in, as written.
      literal += integerLiteral(name, scan.valueOf(name), lineAt(source, offset), false);
      i += name.length + 1;
      continue;
    }
    if (literal) result += `${opener}${literal}'`;
    literal = '';
    result += `"\${${scan.envName(name)}}"`;
    i += name.length + 1;
  }
  if (literal || !result) result += `${opener}${literal}'`;
  write(result);
  return end;
}

/** The bodies of the heredocs opened on the line that just ended; returns where the code resumes. */
function heredocBodies(scan: Scan, from: number, to: number, heredocs: Heredoc[], write: (text: string) => void): number {
  const { source } = scan;
  let at = from;
  for (const heredoc of heredocs) {
    const bodyStart = at;
    let bodyEnd = to;
    let resume = to;
    while (at < to) {
      const end = Math.min(lineEnd(source, at), to);
      const line = source.slice(at, end);
      if ((heredoc.stripTabs ? line.replace(/^\t+/, '') : line) === heredoc.delimiter) {
        bodyEnd = at;
        resume = end < to ? end + 1 : end;
        break;
      }
      at = end < to ? end + 1 : end;
    }
    const inBody = scan.sorted.find((n) => source.slice(bodyStart, bodyEnd).includes(`<${n}>`));
    if (inBody !== undefined && heredoc.reader) {
      const offset = source.indexOf(`<${inBody}>`, bodyStart);
      const pasted = heredoc.quoted ? 'no variable can reach it there, and unquoting would paste the value into code' : 'the value would be pasted into it';
      throw new ShBindingRefusal(
        `<${inBody}> at line ${lineAt(source, offset)} of the cell sits in ${heredoc.quoted ? 'a' : 'an unquoted'} heredoc (<<${heredoc.delimiter}) read by ${heredoc.reader}, which runs the text as code: ${pasted}; ${safeForm(inBody, heredoc.reader)}`,
        offset,
      );
    }
    if (heredoc.quoted) {
      const name = scan.sorted.find((n) => source.slice(bodyStart, bodyEnd).includes(`<${n}>`));
      if (name !== undefined) {
        throw new InputError(
          `placeholder <${name}> at line ${lineAt(source, source.indexOf(`<${name}>`, bodyStart))} sits in a quoted heredoc (<<'${heredoc.delimiter}'), where no variable can reach it: unquote the delimiter`,
        );
      }
      write(source.slice(bodyStart, bodyEnd));
    } else {
      write(scanRange(scan, bodyStart, bodyEnd, [{ kind: 'heredoc' }]));
    }
    write(source.slice(bodyEnd, resume));
    at = resume;
  }
  return at;
}

function lineEnd(source: string, at: number): number {
  const end = source.indexOf('\n', at);
  return end < 0 ? source.length : end;
}
