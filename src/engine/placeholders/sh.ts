/**
 * Binds `<NAME>` placeholders in sh/bash as environment references, so the value reaches
 * the shell as data and is never parsed as code:
 * - in code: `"${NAME}"` (quoted: no word splitting, no globbing);
 * - inside `"…"`, `$(…)` within quotes and unquoted heredocs: `${NAME}`;
 * - inside `'…'`: close and reopen, `'abc<N>'` → `'abc'"${N}"`; the same for `$'…'`;
 * - comments stay as written; a quoted heredoc (`<<'EOF'`) cannot see variables, so a
 *   placeholder there is refused with a clear message.
 */
import { InputError } from '../errors.js';
import { lineAt, longestFirst, placeholderAt } from './names.js';

type Frame = { kind: 'code'; closer?: ')' | '`'; depth: number } | { kind: 'dq' };

interface Heredoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
}

const WORD_START = /[\s;&|()<>]/;

/** `envName` maps a placeholder to the variable that carries its value. */
export function bindSh(source: string, names: readonly string[], envName: (name: string) => string): string {
  if (names.length === 0) return source;
  const sorted = longestFirst(names);
  const stack: Frame[] = [{ kind: 'code', depth: 0 }];
  const pending: Heredoc[] = [];
  let out = '';
  let at = 0;
  while (at < source.length) {
    const frame = stack.at(-1)!;
    const char = source[at]!;
    const name = placeholderAt(source, at, sorted);
    if (name !== undefined) {
      out += frame.kind === 'dq' ? `\${${envName(name)}}` : `"\${${envName(name)}}"`;
      at += name.length + 2;
      continue;
    }
    if (char === '\\') {
      out += source.slice(at, at + 2);
      at += 2;
      continue;
    }
    if (frame.kind === 'dq') {
      if (char === '"') stack.pop();
      else if (char === '`') stack.push({ kind: 'code', closer: '`', depth: 0 });
      else if (char === '$' && source[at + 1] === '(') {
        stack.push({ kind: 'code', closer: ')', depth: 0 });
        out += '$(';
        at += 2;
        continue;
      }
      out += char;
      at++;
      continue;
    }
    // Code.
    if (char === '\n' && pending.length > 0) {
      out += '\n';
      at = heredocBodies(source, at + 1, pending.splice(0), sorted, envName, (text) => (out += text));
      continue;
    }
    if (char === '#' && (at === 0 || WORD_START.test(source[at - 1]!))) {
      const end = lineEnd(source, at);
      out += source.slice(at, end);
      at = end;
    } else if (char === "'" || (char === '$' && source[at + 1] === "'")) {
      const ansi = char === '$';
      const open = ansi ? at + 1 : at;
      const end = singleQuotedEnd(source, open, ansi);
      // An unterminated quote is the shell's syntax error to report; it is copied as written.
      out += end < 0 ? source.slice(at) : splitQuoted(source.slice(open + 1, end - 1), ansi ? "$'" : "'", sorted, envName);
      at = end < 0 ? source.length : end;
    } else if (char === '"') {
      stack.push({ kind: 'dq' });
      out += char;
      at++;
    } else if (char === '<' && source[at + 1] === '<' && source[at + 2] !== '<') {
      const heredoc = /^<<(-?)[ \t]*(?:'([^']*)'|"([^"]*)"|\\?([^\s;&|<>()]+))/.exec(source.slice(at));
      if (heredoc) {
        const delimiter = heredoc[2] ?? heredoc[3] ?? heredoc[4] ?? '';
        pending.push({ delimiter, quoted: heredoc[4] === undefined || heredoc[0].includes('\\'), stripTabs: heredoc[1] === '-' });
        out += heredoc[0];
        at += heredoc[0].length;
      } else {
        out += '<<';
        at += 2;
      }
    } else if (char === '$' && source[at + 1] === '(') {
      stack.push({ kind: 'code', closer: ')', depth: 0 });
      out += '$(';
      at += 2;
    } else {
      if (frame.closer === ')' && char === '(') frame.depth++;
      if (frame.closer === ')' && char === ')' && frame.depth-- === 0) stack.pop();
      else if (frame.closer === '`' && char === '`') stack.pop();
      else if (char === '`') stack.push({ kind: 'code', closer: '`', depth: 0 });
      out += char;
      at++;
    }
  }
  return out;
}

/** `'lit<N>lit'` → `'lit'"${N}"'lit'`: literal parts keep their quoting, values are references. */
function splitQuoted(body: string, open: string, sorted: string[], envName: (name: string) => string): string {
  let out = '';
  let literal = '';
  for (let at = 0; at < body.length; at++) {
    const name = placeholderAt(body, at, sorted);
    if (name === undefined) {
      literal += body[at];
      continue;
    }
    if (literal) out += `${open}${literal}'`;
    literal = '';
    out += `"\${${envName(name)}}"`;
    at += name.length + 1;
  }
  if (literal || !out) out += `${open}${literal}'`;
  return out;
}

function heredocBodies(
  source: string,
  from: number,
  heredocs: Heredoc[],
  sorted: string[],
  envName: (name: string) => string,
  write: (text: string) => void,
): number {
  let at = from;
  for (const heredoc of heredocs) {
    while (at < source.length) {
      const end = lineEnd(source, at);
      const line = source.slice(at, end);
      const lineStart = at;
      const last = end >= source.length;
      at = last ? end : end + 1;
      const isEnd = (heredoc.stripTabs ? line.replace(/^\t+/, '') : line) === heredoc.delimiter;
      if (!isEnd) {
        const name = sorted.find((n) => line.includes(`<${n}>`));
        if (name !== undefined && heredoc.quoted) {
          throw new InputError(
            `placeholder <${name}> at line ${lineAt(source, lineStart)} sits in a quoted heredoc (<<'${heredoc.delimiter}'), where no variable can reach it: unquote the delimiter`,
          );
        }
      }
      const bound = isEnd || heredoc.quoted ? line : line.replace(/<([^<>\s]+)>/g, (m, n: string) => (sorted.includes(n) ? `\${${envName(n)}}` : m));
      write(last ? bound : `${bound}\n`);
      if (isEnd) break;
    }
  }
  return at;
}

function singleQuotedEnd(source: string, open: number, ansi: boolean): number {
  for (let at = open + 1; at < source.length; at++) {
    if (ansi && source[at] === '\\') at++;
    else if (source[at] === "'") return at + 1;
  }
  return -1;
}

function lineEnd(source: string, at: number): number {
  const end = source.indexOf('\n', at);
  return end < 0 ? source.length : end;
}
