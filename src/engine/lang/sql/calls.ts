/**
 * What a parse tree calls and does: function names (without schema, lower case, as
 * pg_proc spells them), operator names, the relations it names (a view runs its
 * definition), and whether it locks rows, writes a table with INTO, or holds a
 * data-modifying statement (a WITH … DELETE, say). One walk of the tree.
 */
import { findInTree } from './tree-walk.js';
export interface Calls {
  functions: readonly string[];
  operators: readonly string[];
  /** Tables, views and CTE names read, without schema, as pg_class spells them. */
  relations: readonly string[];
  locking: boolean;
  into: boolean;
  modifying: boolean;
}

const MODIFYING = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
/** A_Expr kinds whose `name` is a real operator (BETWEEN's is a keyword that expands to >= and <=). */
const OPERATOR_KINDS = new Set([
  'AEXPR_OP', 'AEXPR_OP_ANY', 'AEXPR_OP_ALL', 'AEXPR_DISTINCT', 'AEXPR_NOT_DISTINCT', 'AEXPR_NULLIF',
  'AEXPR_IN', 'AEXPR_LIKE', 'AEXPR_ILIKE', 'AEXPR_SIMILAR',
]);

type Names = { String?: { sval?: string } }[];

/**
 * What a frozen tree calls, by tree: the parse cache (statements.ts) hands the same frozen
 * tree to the plan's effect, the check with the target's catalogue and the run, which walked
 * it once each. A tree that is not frozen could change under its entry, so it is not kept.
 */
const walked = new WeakMap<object, Readonly<Calls>>();

/** What `root` calls and does (frozen: it may be shared). */
export function calls(root: unknown): Readonly<Calls> {
  const frozen = root !== null && typeof root === 'object' && Object.isFrozen(root);
  const known = frozen ? walked.get(root) : undefined;
  if (known) return known;
  const found = Object.freeze(walk(root));
  if (frozen) walked.set(root, found);
  return found;
}

function walk(root: unknown): Calls {
  const found: Calls = { functions: [], operators: [], relations: [], locking: false, into: false, modifying: false };
  const functions = new Set<string>();
  const operators = new Set<string>();
  const relations = new Set<string>();
  findInTree(root, (key, child) => {
    if (key === 'lockingClause') found.locking = true;
    else if (key === 'intoClause') found.into = true;
    else if (MODIFYING.has(key)) found.modifying = true;
    else if (key === 'RangeVar') {
      const name = (child as { relname?: string }).relname;
      if (name) relations.add(name);
    }
    else if (key === 'FuncCall') {
      const name = lastName((child as { funcname?: Names }).funcname);
      if (name) functions.add(name);
    } else if (key === 'A_Expr') {
      const expr = child as { kind?: string; name?: Names };
      const name = lastName(expr.name);
      if (name && OPERATOR_KINDS.has(expr.kind ?? '')) operators.add(name);
    }
    return undefined;
  });
  found.functions = Object.freeze([...functions]);
  found.operators = Object.freeze([...operators]);
  found.relations = Object.freeze([...relations]);
  return found;
}

function lastName(names: Names | undefined): string | undefined {
  // Unquoted names arrive folded to lower case; a quoted "Name" keeps its case, as in pg_proc.
  return names?.[names.length - 1]?.String?.sval;
}
