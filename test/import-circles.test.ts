/**
 * No import circles among the renderers and commands (`npx madge --circular --extensions
 * ts,tsx src` says the same for all of src/; this test needs no install). A circle means two
 * modules each need the other to be loaded first: the shared piece belongs one level down
 * (tui/controller-deps.ts, timeline/types.ts, commands/timeline-checklist.ts). Type-only and
 * dynamic imports count, as madge counts them.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', 'src');
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.[^'"]+)['"]/gm;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `./x.js` from a .ts file names `./x.ts` or `./x.tsx`. */
function resolveImport(from: string, spec: string, files: Set<string>): string | undefined {
  const base = resolve(dirname(from), spec).replace(/\.js$/, '');
  return [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((candidate) => files.has(candidate));
}

/** Every circle, each as the list of files on it (Tarjan's strongly connected components of size > 1). */
function importCircles(src: string, roots: string[]): string[][] {
  const all = new Set(sources(src));
  const inScope = (file: string) => roots.some((root) => file.startsWith(join(src, root)));
  const edges = new Map<string, string[]>();
  for (const file of all) {
    if (!inScope(file)) continue;
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(IMPORT)].map((m) => resolveImport(file, m[1]!, all)).filter((t): t is string => t !== undefined && inScope(t));
    edges.set(file, targets);
  }
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of edges.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(relative(src, member));
      } while (member !== node);
      if (component.length > 1) circles.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return circles;
}

describe('import circles', () => {
  it('none among src/renderers, src/commands and src/cli.ts', () => {
    expect(importCircles(SRC, ['renderers', 'commands', 'cli.ts'])).toEqual([]);
  });

  // The engine's circles (events ⇄ plan/types, markdown cells/frontmatter/walk, runner cell-context/execute-cell/env-watch,
  // the languages' registry) are gone: each shared piece lives one level down (plan/types, lang/cell-language, runner/cell-context).
  it('none in src/engine', () => {
    expect(importCircles(SRC, ['engine'])).toEqual([]);
  });

  it('finds a circle through a type-only or a dynamic import, and none in a straight line', () => {
    // A check that never fails proves nothing.
    const dir = mkdtempSync(join(tmpdir(), 'circles-'));
    try {
      mkdirSync(join(dir, 'r'));
      writeFileSync(join(dir, 'r', 'a.ts'), "import type { B } from './b.js';\nexport type A = B;\n");
      writeFileSync(join(dir, 'r', 'b.ts'), "export type B = 1;\nexport const load = () => import('./c.js');\n");
      writeFileSync(join(dir, 'r', 'c.ts'), "import { load } from './b.js';\nexport const c = load;\n");
      writeFileSync(join(dir, 'r', 'd.tsx'), "import type { A } from './a.js';\nexport const d: A | undefined = undefined;\n");
      expect(importCircles(dir, ['r'])).toEqual([['r/b.ts', 'r/c.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
