/**
 * Where a bound value is parsed again as code, by bash itself or by another interpreter,
 * quoting it for this shell is not quoting at all: `bash -c "echo <X>"` gets the value
 * pasted into the script text, `eval`, `trap`, `watch`, `ssh host "…"` and `su -c` hand
 * their words to a shell again, `awk '…<X>…'` to awk (whose system() runs commands),
 * `python -c`, `perl -e`, `psql -c` to theirs; an unquoted heredoc or a here-string read
 * by psql, bash, ssh or python is program text too. The scanner (placeholders.ts) asks
 * these questions of the command text around each placeholder and refuses the value, with
 * the safe form: pass it as an argument, an environment variable or a psql variable.
 * Being wrong on the safe side refuses a placeholder that was harmless; never the reverse.
 */

/** A word of a simple command as far as the text goes: its unquoted text, and whether it is still open. */
export interface ShellWord {
  /** Quotes and backslashes removed (expansions kept as written). */
  text: string;
  /** Offset of the word in the text it was split from. */
  start: number;
}

/** Splits command text into words, tolerating an unfinished last word (the one holding the placeholder). */
export function splitWords(text: string): { words: ShellWord[]; open: boolean } {
  const words: ShellWord[] = [];
  let word: ShellWord | undefined;
  let quote: '' | "'" | '"' = '';
  let depth = 0;
  for (let at = 0; at < text.length; at++) {
    const char = text[at]!;
    if (!quote && depth === 0 && /\s/.test(char)) {
      if (word) words.push(word);
      word = undefined;
      continue;
    }
    word ??= { text: '', start: at };
    if (char === '\\' && quote !== "'") {
      word.text += text[at + 1] ?? '';
      at++;
    } else if (quote === "'") {
      if (char === "'") quote = '';
      else word.text += char;
    } else if (char === "'" && !quote && depth === 0) quote = "'";
    else if (char === '"' && depth === 0) quote = quote ? '' : '"';
    else {
      if (char === '(') depth++;
      else if (char === ')' && depth > 0) depth--;
      word.text += char;
    }
  }
  const open = word !== undefined;
  if (word) words.push(word);
  return { words, open };
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'fish', 'busybox']);
/** Interpreters and the flags whose next word is program text. */
const CODE_FLAGS: Record<string, readonly string[]> = {
  su: ['-c', '--command'], runuser: ['-c', '--command'],
  python: ['-c'], perl: ['-e', '-E'], ruby: ['-e'], node: ['-e', '--eval', '-p', '--print'], nodejs: ['-e', '--eval', '-p', '--print'],
  php: ['-r'], lua: ['-e'], rscript: ['-e'], osascript: ['-e'], pwsh: ['-c', '-command', '-Command'], powershell: ['-c', '-command', '-Command'],
  psql: ['-c', '--command'], mysql: ['-e', '--execute'], 'clickhouse-client': ['-q', '--query'], cqlsh: ['-e', '--execute'],
};
/** Programs that run what they read on stdin (an unquoted heredoc or here-string) as code. */
const STDIN_READERS = new Set([...SHELLS, 'ssh', 'su', 'runuser', 'python', 'perl', 'ruby', 'node', 'nodejs', 'php', 'lua', 'psql', 'mysql', 'sqlite3', 'pwsh', 'powershell', 'osascript', 'clickhouse-client', 'cqlsh', 'gdb']);
const AWKS = new Set(['awk', 'gawk', 'mawk', 'nawk', 'busybox-awk']);
/** Commands that run the command after them (with their own options first). */
const WRAPPERS = new Set(['sudo', 'doas', 'env', 'nohup', 'exec', 'command', 'builtin', 'nice', 'ionice', 'timeout', 'time', 'stdbuf', 'setsid', 'chrt', 'taskset', 'xargs', 'flock']);
/** ssh options that take an argument (so the host is the first word that is neither). */
const SSH_ARG_OPTIONS = /^-[BbcDEeFIiJLlmOoPpQRSWw]$/;

/** `python3.11` → `python`; `/usr/bin/bash` → `bash`. */
function program(word: string): string {
  const base = word.slice(word.lastIndexOf('/') + 1).toLowerCase();
  return /^python[0-9.]*$/.test(base) ? 'python' : base;
}

/** Index of the word that names the program: after assignments, redirections and wrappers with their options. */
function programIndex(words: readonly ShellWord[]): number {
  let at = 0;
  while (at < words.length) {
    const text = words[at]!.text;
    if (/^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(text) || /^[0-9]*[<>]/.test(text)) {
      at += /^[0-9]*[<>]+&?$/.test(text) ? 2 : 1;
      continue;
    }
    if (!WRAPPERS.has(program(text))) return at;
    const wrapper = program(text);
    at++;
    // Options (and `-u user`, `timeout 5`) up to the command.
    while (at < words.length && (words[at]!.text.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[at]!.text) || (wrapper === 'timeout' && /^[0-9.]+[smhd]?$/.test(words[at]!.text)))) {
      if (/^-[ugCDpnkscr]$/.test(words[at]!.text) && wrapper !== 'env' && wrapper !== 'nohup') at++;
      at++;
    }
  }
  return at;
}

/** A word that opens a code flag of `name`: `-c`, `-lc`, `-ec` for shells; `--command=…` with its text attached. */
function flagOf(name: string, word: string): 'next' | 'attached' | undefined {
  const flags = SHELLS.has(name) ? ['-c', '--command'] : CODE_FLAGS[name];
  if (!flags) return undefined;
  if (flags.includes(word)) return 'next';
  if (SHELLS.has(name) && /^-[A-Za-z]*c[A-Za-z]*$/.test(word)) return 'next';
  if (flags.some((flag) => flag.startsWith('--') && word.startsWith(`${flag}=`))) return 'attached';
  if (flags.some((flag) => /^-[A-Za-z]$/.test(flag) && word.length > 2 && word.startsWith(flag) && !SHELLS.has(name))) return 'attached';
  return undefined;
}

/**
 * Why the word `k` of the simple command `words` (the one holding a placeholder) is parsed
 * again as code, in a few words; undefined when it is plain data to the program.
 */
export function reparsedWord(words: readonly ShellWord[], k: number): string | undefined {
  const p = programIndex(words);
  if (p >= words.length || k <= p) return undefined;
  const name = program(words[p]!.text);
  if (name === 'eval') return 'eval, which parses its arguments again as shell code';
  if (name === 'trap' && k === p + 1 + Number(words[p + 1]?.text === '--')) return 'the action of trap, shell code parsed when the trap fires';
  if (name === 'watch') return 'watch, which runs its command through sh -c';
  if (AWKS.has(name) && k === awkProgram(words, p)) return `${name}'s program text (its system() and pipes run commands)`;
  if (name === 'ssh' && k > sshHost(words, p)) return 'the command ssh sends to the remote shell, which parses it again';
  if (name === 'sqlite3' && k === positional(words, p, 1)) return 'the SQL sqlite3 runs';
  // `bash -c '…'`, `sudo -u x sh -c`, `find … -exec sh -c '…' {} \;`, `kubectl exec p -- sh -c`.
  for (let i = p; i < k; i++) {
    const inner = program(words[i]!.text);
    for (let j = i + 1; j <= k && j < words.length; j++) {
      const flag = flagOf(inner, words[j]!.text);
      if (flag === 'attached' && j === k) return `the program text of ${inner} ${words[j]!.text.split('=')[0]!.slice(0, 10)}`;
      if (flag === 'next' && j + 1 === k) return `the program text of ${inner} ${words[j]!.text}`;
    }
  }
  return undefined;
}

/** Does the command (or a later stage of its pipeline, `rest`) run what it reads on stdin as code? */
export function stdinReader(command: readonly ShellWord[], rest: string): string | undefined {
  for (const word of command) {
    const name = program(word.text);
    if (STDIN_READERS.has(name)) return name;
  }
  // `cat <<EOF | bash`: a later stage of the same pipeline reads it.
  for (const stage of rest.split(/\|(?!\|)/).slice(1)) {
    const { words } = splitWords(stage);
    const p = programIndex(words);
    for (const word of words.slice(p)) if (STDIN_READERS.has(program(word.text))) return program(word.text);
  }
  return undefined;
}

/** The safe form for a value the command parses again, as one clause. */
export function safeForm(name: string, reader: string): string {
  if (reader === 'psql' || reader.includes('psql')) return `pass it as a psql variable and keep the SQL quoted: psql -v ${name.toLowerCase()}="$RUNBOOK_VAR_${name}" <<'EOF' … :'${name.toLowerCase()}' … EOF`;
  if (reader.includes('ssh')) return `send the value as data, not as command text: printf '%s\\n' "<${name}>" | ssh host 'IFS= read -r v; … "$v" …'`;
  if (reader.includes('awk')) return `pass it as data: awk -v v="<${name}>" '… v …' (or ENVIRON["RUNBOOK_VAR_${name}"])`;
  if (reader.includes('trap')) return `let the action read the variable when it fires: trap 'cleanup "$RUNBOOK_VAR_${name}"' EXIT`;
  return `pass it as an argument or an environment variable, never inside the text: bash -c '… "$1" …' _ "<${name}>" (or "$RUNBOOK_VAR_${name}" in a quoted heredoc)`;
}

/** The first non-option word after awk's options (none when the program comes from -f). */
function awkProgram(words: readonly ShellWord[], p: number): number {
  let at = p + 1;
  while (at < words.length && words[at]!.text.startsWith('-') && words[at]!.text !== '--') {
    if (/^-f/.test(words[at]!.text) || words[at]!.text === '--file') return -1;
    at += /^-[Fvf]$/.test(words[at]!.text) ? 2 : 1;
  }
  return words[at]?.text === '--' ? at + 1 : at;
}

function sshHost(words: readonly ShellWord[], p: number): number {
  let at = p + 1;
  while (at < words.length && words[at]!.text.startsWith('-')) at += SSH_ARG_OPTIONS.test(words[at]!.text) ? 2 : 1;
  return at;
}

/** Index of the n-th (0-based) non-option word after the program. */
function positional(words: readonly ShellWord[], p: number, n: number): number {
  let seen = -1;
  for (let at = p + 1; at < words.length; at++) {
    if (words[at]!.text.startsWith('-')) continue;
    if (++seen === n) return at;
  }
  return -1;
}
