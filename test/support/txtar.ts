/**
 * Go's txtar archives, as Runme's end-to-end scripts are written: a comment (the script:
 * `exec runme run echo`, `stdout 'Hello, runme!'`), then files, each after a `-- name --` line.
 */
import { readFileSync } from 'node:fs';

export interface Txtar {
  script: string;
  files: Map<string, string>;
}

export function readTxtar(path: string): Txtar {
  const files = new Map<string, string>();
  let script = '';
  let current: string | undefined;
  let body: string[] = [];
  const flush = () => {
    if (current === undefined) script = body.join('\n');
    else files.set(current, body.length ? `${body.join('\n')}\n` : '');
  };
  for (const line of readFileSync(path, 'utf8').replace(/\n$/, '').split('\n')) {
    const header = /^-- (.+) --$/.exec(line);
    if (!header) {
      body.push(line);
      continue;
    }
    flush();
    current = header[1]!.trim();
    body = [];
  }
  flush();
  return { script, files };
}
