#!/usr/bin/env node
/**
 * Peer for the parse workload: remark (unified + GFM + frontmatter), the reference
 * CommonMark parser the engine's own block scanner is tested against. Parses the file,
 * counts executable fences and prints the count.
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
