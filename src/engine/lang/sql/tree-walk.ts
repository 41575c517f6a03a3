/**
 * Every (key, child) pair of a libpg-query parse tree, depth first, with a stack instead of
 * recursion (a generated statement can nest deeper than the call stack). The one walk the
 * effect, read-only and re-parsed checks share; `visit` returns a value to stop at once.
 * `enter` says whether to walk into a child (default: every one), e.g. not into a constant.
 */
export function findInTree<T>(
  root: unknown,
  visit: (key: string, child: unknown) => T | undefined,
  enter: (key: string) => boolean = () => true,
): T | undefined {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) {
      pending.push(...value);
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    // for…in, not Object.entries: the same keys in the same order (a parse tree is plain JSON
    // data, nothing enumerable on its prototype) without an array per node.
    for (const key in value) {
      const child = (value as Record<string, unknown>)[key];
      const found = visit(key, child);
      if (found !== undefined) return found;
      if (child && typeof child === 'object' && enter(key)) pending.push(child);
    }
  }
  return undefined;
}

/** A parse node's kind and body (`{ SelectStmt: {…} }` → ['SelectStmt', {…}]), without the array of every entry Object.entries makes. */
export function kindOf(node: Record<string, unknown>): [kind: string, body: unknown] | [] {
  for (const kind in node) return [kind, node[kind]];
  return [];
}
