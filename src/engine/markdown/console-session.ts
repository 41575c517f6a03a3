/**
 * Console sessions: a fence that shows a terminal (`$ kubectl get pods` followed by what it
 * printed) rather than a script. Whether a cell is one is decided once, by its first
 * non-blank line; then lines with a prompt, and their continuations, are the commands
 * (prompt removed) and every other line is the output the author saw, kept as
 * documentation and never run.
 */
import type { ConsoleSession, Lang, SessionLine } from '../runbook.js';
import { languageOf, type ConsoleDialectName } from '../lang/language.js';

/** `$ `, `user@host:~$ `, `[root@host ~]# `, `root@host:/dir# `. */
const SH_PROMPT = /^(?:(?:\[[^\]\n]*\]|[\w.-]+@[\w.-]+(?::[^\s$#]*)?)[$#]|\$)(?: |$)/;
/**
 * `# cmd` as root's prompt. Alone it cannot be told from a comment (`# uses <X>` above a
 * script), so it never decides a session; inside one (`$ sudo -i`, then `# gitlab-ctl
 * status`) a lowercase command word that is not prose is root's command.
 */
const ROOT_PROMPT = /^# (?=[a-z][\w.-]*(?:\s|$))(?![^\n]*[.:]\s*$)/;
/** `PS> `, `PS C:\> `, `PS /home/me> `. */
const PS_PROMPT = /^PS(?: [^>\n]*)?> ?/;
/** psql: `db=> `, `db=# `; continuation `db-> `, `db(# `, `db'> `, `db"# `. */
const PSQL_PROMPT = /^[\w.-]*=[#>] ?/;
const PSQL_CONTINUATION = /^[\w.-]*[-('"*][#>] ?/;

interface Dialect {
  /** True when this line, as the first of a cell, makes the cell a session. */
  decides(line: string): boolean;
  prompt(line: string): string | undefined;
  /** True when the command so far is not finished at the end of this line. */
  continues(command: string): boolean;
  /** The secondary prompt a continuation line may carry (`> `, `>> `, `db-> `). */
  secondary: RegExp;
}

const SH: Dialect = {
  decides: (line) => SH_PROMPT.test(line),
  prompt: (line) => SH_PROMPT.exec(line)?.[0] ?? ROOT_PROMPT.exec(line)?.[0],
  continues: (command) => /(?:\\|\||&&|\|\|)\s*$/.test(command),
  secondary: /^> ?/,
};

const POWERSHELL: Dialect = {
  decides: (line) => PS_PROMPT.test(line),
  prompt: (line) => PS_PROMPT.exec(line)?.[0],
  continues: (command) => /(?:`|\|)\s*$/.test(command),
  secondary: /^>> ?/,
};

const PSQL: Dialect = {
  decides: (line) => PSQL_PROMPT.test(line),
  prompt: (line) => PSQL_PROMPT.exec(line)?.[0],
  continues: () => false,
  secondary: PSQL_CONTINUATION,
};

const DIALECTS: Record<ConsoleDialectName, Dialect> = { psql: PSQL, sh: SH, powershell: POWERSHELL };

/** The prompts a fence of `lang` is read with, in the order its language tries them. */
function dialectsFor(lang: Lang): Dialect[] {
  return languageOf(lang).consoleDialects.map((name) => DIALECTS[name]);
}

/** The session a cell's text shows, or undefined when it is a plain script. */
export function readConsoleSession(written: string, lang: Lang): ConsoleSession | undefined {
  const rows = written.split('\n');
  const first = decidingLine(rows, lang);
  if (first === undefined) return undefined;
  const dialect = dialectsFor(lang).find((d) => d.decides(first));
  if (!dialect) return undefined;
  const lines: SessionLine[] = [];
  const commands: string[] = [];
  const sourceLines: number[] = [];
  let commandCount = 0;
  let heredoc: string | undefined;
  let open = false;
  for (const [index, row] of rows.entries()) {
    const prompt = heredoc === undefined ? dialect.prompt(row) : undefined;
    let text: string | undefined;
    if (heredoc !== undefined) {
      // A heredoc body typed after `$ cat <<EOF` is part of the command, up to its delimiter.
      text = row.replace(dialect.secondary, '');
      if (text.replace(/^\t+/, '') === heredoc || text.trim() === heredoc) heredoc = undefined;
    } else if (prompt !== undefined) {
      text = row.slice(prompt.length);
    } else if (open || (dialect === PSQL && lines.at(-1)?.kind === 'command' && dialect.secondary.test(row))) {
      text = row.replace(dialect.secondary, '');
    }
    if (text === undefined) {
      lines.push({ kind: 'output', text: row });
      open = false;
      continue;
    }
    lines.push({ kind: 'command', text: row });
    if (prompt !== undefined) {
      open = false;
      if (text.trim() === '') continue;
      commandCount += 1;
    }
    commands.push(text);
    sourceLines.push(index + 1);
    if (dialect === SH && heredoc === undefined) heredoc = heredocDelimiter(text);
    open = heredoc === undefined && dialect.continues(text);
  }
  return {
    written,
    prompt: dialect.prompt(first)!.trim(),
    lines,
    commands: commandCount,
    outputLines: lines.filter((line) => line.kind === 'output' && line.text.trim() !== '').length,
    source: commands.join('\n'),
    sourceLines,
  };
}

/**
 * The line that decides: the first non-blank one, passing over comments above the first
 * prompt (`# Wait 5 seconds between restarts` then `$ pgrep …`).
 */
function decidingLine(rows: string[], lang: Lang): string | undefined {
  const dialects = dialectsFor(lang);
  const marker = languageOf(lang).lineComment;
  const isComment = (row: string) => row.trimStart().startsWith(marker);
  return rows.find((row) => row.trim() !== '' && (!isComment(row) || dialects.some((d) => d.decides(row))));
}

/** The delimiter of the last heredoc a command line opens (`<<EOF`, `<<-'EOF'`), if any. */
function heredocDelimiter(command: string): string | undefined {
  let delimiter: string | undefined;
  for (const match of command.matchAll(/<<(?!<)-?[ \t]*(?:'([^']*)'|"([^"]*)"|\\?([A-Za-z_][\w.-]*))/g)) {
    delimiter = match[1] ?? match[2] ?? match[3];
  }
  return delimiter;
}
