#!/usr/bin/env node
/**
 * Baseline for the parse workload: the Markdown parser the engine is built on, alone.
 * Parses the file with the same plugins (GFM, frontmatter), counts executable fences and
 * prints the count, so the engine's `list --json` is measured against its own floor.
 */
import { readFileSync } from 'node:fs';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkFrontmatter from 'remark-frontmatter';

const EXECUTABLE = /^(sql|postgres|postgresql|powershell|pwsh|ps1|sh|bash|shell)$/i;
const tree = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter, ['yaml']).parse(readFileSync(process.argv[2], 'utf8'));
let cells = 0;
const walk = (node) => {
  if (node.type === 'code' && EXECUTABLE.test(node.lang ?? '')) cells += 1;
  for (const child of node.children ?? []) walk(child);
};
walk(tree);
process.stdout.write(`${JSON.stringify({ cells })}\n`);
