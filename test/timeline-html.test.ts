/**
 * `runbook timeline T --format html`: the review page, rendered by real headless Chromium
 * (Debian's `chromium`) with every outside request sent to a local proxy that counts them:
 * the screenshot is not empty, the DOM holds the run id, every cell id with its status,
 * the evidence, the SQL result as a table, the checklist's Owner, the SVG chart and the
 * asciicast player; and nothing was requested from outside.
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPath } from '../src/engine/process/which.js';
import { freshDatabase } from './support/database.js';
import { runCli, tempDir } from './runner-support.js';

const run = promisify(execFile);
const hasChromium = onPath('chromium', process.env.PATH ?? '');

const RUNBOOK = `# Review

## Symptoms

- API returns 500s

## Steps

\`\`\`sh {name=scale}
echo "✓ workers: replicas 2 → 0"
\`\`\`

\`\`\`sql {name=whoami}
-- Who am I?
SELECT current_user AS who, chr(60) || 'script>alert(1)' || chr(60) || '/script>' AS html;
\`\`\`

\`\`\`sh {name=gate}
echo "psql: error: connection refused 127.0.0.1:54322" >&2; exit 1
\`\`\`

## Postmortem Checklist

| Item | Owner | Done |
| ---- | ----- | ---- |
| Root cause identified | dana | ☐ |
`;

let dir: string;
let html: string;
let runId: string;
let proxy: Server;
let outside: string[];

beforeAll(async () => {
  dir = tempDir('runbook-html-');
  const db = await freshDatabase('htmlpage');
  writeFileSync(join(dir, 'review.md'), RUNBOOK);
  const result = await runCli(['run', 'review.md', '--yes', '--keep-going', '--db', db, '--allow-writes', '--transcript', 't.jsonl'], { cwd: dir });
  expect(result.code).toBe(1);
  runId = (JSON.parse(readFileSync(join(dir, 't.jsonl'), 'utf8').split('\n')[0] as string) as { run: string }).run;
  const page = await runCli(['timeline', 't.jsonl', '--format', 'html'], { cwd: dir });
  expect(page.code, page.stderr).toBe(0);
  html = page.stdout;
  writeFileSync(join(dir, 'review.html'), html);
  outside = [];
  proxy = createServer((req, res) => {
    outside.push(req.url ?? '?');
    res.statusCode = 404;
    res.end();
  });
  proxy.on('connect', (req, socket) => {
    outside.push(`CONNECT ${req.url ?? '?'}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
}, 120_000);

afterAll(() => {
  proxy?.close();
});

describe('the review page', () => {
  it('is one file that names no outside resource to load (no src= or href= to a network address)', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/\s(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toContain('<script>alert(1)'); // a value is text, never markup
  });

  it.runIf(hasChromium)('renders in headless Chromium: screenshot, run id, every cell and status, evidence, SQL table, Owner, chart, player; no outside request', async () => {
    const port = (proxy.address() as AddressInfo).port;
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      `--proxy-server=http://127.0.0.1:${port}`, '--proxy-bypass-list=<-loopback>', '--virtual-time-budget=5000', `--user-data-dir=${join(dir, 'profile')}`];
    const url = `file://${join(dir, 'review.html')}`;
    const { stdout: dom } = await run('chromium', [...flags, '--dump-dom', url], { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
    await run('chromium', [...flags, '--window-size=1280,2400', `--screenshot=${join(dir, 'shot.png')}`, url], { timeout: 120_000 });
    const png = readFileSync(join(dir, 'shot.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(join(dir, 'shot.png')).size).toBeGreaterThan(20_000);

    expect(dom).toContain(`data-run="${runId}"`);
    expect(dom).toContain('data-outcome="failed"');
    for (const [cell, status] of [['scale', 'succeeded'], ['whoami', 'succeeded'], ['gate', 'failed']]) {
      expect(dom).toContain(`<tr class="kind-cell status-${status}" data-cell="${cell}" data-status="${status}">`);
      expect(dom).toMatch(new RegExp(`<g data-cell="${cell}" data-status="${status}">`));
    }
    expect(dom).toContain('<li>psql: error: connection refused 127.0.0.1:54322</li>');
    expect(dom).toContain('<th>who</th><th>html</th>');
    expect(dom).toContain('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(dom).toContain('<th>Owner</th>');
    expect(dom).toContain('<td>dana</td>');
    expect(dom).toContain('API returns 500s');
    // asciinema-player ran: its element tree is in the page.
    expect(dom).toContain('<div id="player" data-player="shown"><div class="ap-wrapper"');
    // Chromium's own pings (component updates, its clock, accounts) go out whatever the page is: named, and not counted.
    const browserOwn = /^(CONNECT )?(https?:\/\/)?(update\.googleapis\.com|clients2\.google\.com|redirector\.gvt1\.com|accounts\.google\.com|optimizationguide-pa\.googleapis\.com|www\.google\.com)[:/]/;
    const fromPage = outside.filter((request) => !browserOwn.test(request));
    expect(fromPage, fromPage.join('\n')).toEqual([]);
  }, 240_000);
});
