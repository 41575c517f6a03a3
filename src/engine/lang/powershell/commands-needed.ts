/**
 * The external commands a cell calls (`railway`, `psql`, `curl`, `jq`, `python`), read by
 * PowerShell's own parser in the run's pwsh session (its tokens mark command names, also
 * inside "$(…)"), and checked before anything
 * runs, like interpreters: found on PATH or not. `python -m pkg.module` also needs the
 * module: found beside the runbook (pkg/module.py, a package) or importable by that python.
 *
 * Not external: what PowerShell itself resolves as a cmdlet, function, alias or filter
 * (Get-Command in the session: ForEach-Object and Sort-Object as much as Get-ChildItem),
 * functions defined by any cell of the run, script paths (`./x.ps1`, dot-sourced or not:
 * they fail as the cell runs, with PowerShell's message), and names computed at run time
 * (`& $tool`). A missing program with a near match on PATH (`python` where `python3` is)
 * says so.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onPath } from '../../process/which.js';
import type { NeededCommand } from '../../plan/types.js';
import type { CommandsInput } from '../cell-language.js';

/** Per cell id, what it needs, in the order the cell first calls it: `input.cells` are the run's PowerShell cells. */
export async function commandsNeeded(input: CommandsInput): Promise<Map<string, NeededCommand[]>> {
  const calls = new Map<string, { name: string; arguments: (string | null)[] }[]>();
  const defined = new Set<string>();
  // All at once: the session answers them in order, without a round trip between them.
  const reports = await Promise.all(
    input.cells.map(async (cell) => {
      const parser = await input.parserFor(cell).catch(() => undefined);
      return parser ? await parser.parse(cell.source, []).catch(() => undefined) : undefined;
    }),
  );
  for (const [index, cell] of input.cells.entries()) {
    const report = reports[index];
    if (!report) continue;
    for (const name of report.functions) defined.add(name.toLowerCase());
    calls.set(cell.id, report.commands.filter((c) => !c.powershell && !c.dot && !/[/\\]/.test(c.name)));
  }
  const needed = new Map<string, NeededCommand[]>();
  const path = input.env.PATH ?? '';
  // Each interpreter is asked once per top-level module and directory, all at once: a `python`
  // behind a version manager's shim costs ~0.1 s a start, and every one delays the first question.
  const modules = new Map<string, Promise<boolean>>();
  const pending: Promise<void>[] = [];
  for (const cell of input.cells) {
    const commands = calls.get(cell.id);
    if (!commands) continue;
    const list: NeededCommand[] = [];
    const seen = new Set<string>();
    for (const command of commands) {
      if (defined.has(command.name.toLowerCase())) continue;
      const found = onPath(command.name, path);
      const near = found ? undefined : nearName(command.name, path);
      if (!seen.has(command.name)) list.push({ name: command.name, found, ...(near ? { near } : {}) });
      seen.add(command.name);
      const module = found && /^python[0-9.]*$/.test(command.name) ? moduleOf(command.arguments) : undefined;
      if (module && !seen.has(`${command.name} -m ${module}`)) {
        seen.add(`${command.name} -m ${module}`);
        const entry: NeededCommand = { name: `${command.name} -m ${module}`, found: false };
        list.push(entry);
        const importable = (top: string, cwd: string) => {
          const key = JSON.stringify([command.name, top, cwd]);
          if (!modules.has(key)) modules.set(key, importableBy(command.name, top, cwd, input.env));
          return modules.get(key)!;
        };
        pending.push(moduleFound(module, input.cwdOf(cell), importable).then((found) => void (entry.found = found)));
      }
    }
    needed.set(cell.id, list);
  }
  await Promise.all(pending);
  return needed;
}


/** `python` → `python3`, `python3` → `python`, `pip` → `pip3`: the versioned twin of a missing program, when it is on PATH. */
export function nearName(name: string, path: string): string | undefined {
  const bare = name.replace(/[0-9.]+$/, '');
  const candidates = bare === name ? [`${name}3`, `${name}2`] : [bare, `${bare}3`].filter((c) => c !== name);
  return candidates.find((candidate) => onPath(candidate, path));
}

function moduleOf(args: readonly (string | null)[]): string | undefined {
  const at = args.indexOf('-m');
  const module = at >= 0 ? args[at + 1] : undefined;
  return module && /^[A-Za-z_][\w.]*$/.test(module) ? module : undefined;
}

/**
 * Beside the runbook first (as `python -m` looks in its working directory), then as the
 * interpreter sees it — the top-level name only, so that no package's code is imported.
 */
async function moduleFound(module: string, cwd: string, importable: (top: string, cwd: string) => Promise<boolean>): Promise<boolean> {
  const parts = module.split('.');
  const base = join(cwd, ...parts);
  if (existsSync(`${base}.py`) || existsSync(join(base, '__init__.py')) || existsSync(join(base, '__main__.py'))) return true;
  if (parts.length > 1 && existsSync(join(cwd, parts[0]!))) return false;
  // A submodule of an installed package cannot be checked without importing the package.
  return importable(parts[0]!, cwd);
}

async function importableBy(python: string, top: string, cwd: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    await promisify(execFile)(python, ['-c', 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec(sys.argv[1]) else 1)', top], {
      cwd,
      env,
      timeout: 10_000,
    });
    return true;
  } catch {
    return false;
  }
}
