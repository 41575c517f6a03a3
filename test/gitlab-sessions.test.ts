/**
 * The console-session rule on GitLab's public runbooks (MIT, ../shared/corpus): for each
 * file, how many cells are sessions, how many commands run and how many lines of shown
 * output do not; and samples checked line by line against what a reader sees.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../src/engine/parse.js';
import type { Cell } from '../src/engine/runbook.js';
import { corpusDir } from './support/corpus.js';

const CORPUS = corpusDir('gitlab-runbooks');
const read = (name: string) => parseRunbook(readFileSync(join(CORPUS!, name), 'utf8'), name);
const at = (name: string, line: number): Cell => read(name).cells.find((c) => c.line === line)!;

/** file → [cells, session cells, commands, lines of output not run]; files without cells are left out. */
const COUNTS: Record<string, [number, number, number, number]> = {
  'Teleport__teleport_approval_workflow.md': [4, 3, 3, 6],
  'bastions__gprd-bastions.md': [8, 0, 0, 0],
  'certificates__chef_hybrid.md': [4, 0, 0, 0],
  'certificates__forum.md': [1, 0, 0, 0],
  'certificates__gkms.md': [4, 0, 0, 0],
  'ci-runners__ci-runner-timeouts.md': [1, 0, 0, 0],
  'ci-runners__ci_runner_manager_errors.md': [5, 5, 6, 5],
  'ci-runners__linux__docker-machine__create-failure.md': [6, 0, 0, 0],
  'ci-runners__linux__manual-deployment.md': [8, 0, 0, 0],
  'ci-runners__service-ci-runners.md': [4, 3, 4, 0],
  'customers__README.md': [1, 0, 0, 0],
  'docs-index.md': [2, 0, 0, 0],
  'elastic__README.md': [1, 1, 3, 0],
  'gitaly__git-copy-by-hand.md': [5, 0, 0, 0],
  'gitaly__git-high-cpu-and-memory-usage.md': [9, 7, 14, 0],
  'gitaly__gracefully-restart-gitaly-ruby.md': [3, 3, 3, 1],
  'kube__k8s-operations.md': [14, 9, 18, 5],
  'monitoring__prometheus-is-down.md': [1, 0, 0, 0],
  'onboarding__gitlab.com_on_k8s.md': [2, 0, 0, 0],
  'pages__gitlab-pages.md': [7, 2, 2, 0],
  'patroni__patroni-management.md': [5, 0, 0, 0],
  'patroni__pg_repack.md': [6, 1, 1, 34],
  'patroni__pg_xid_wraparound_alert.md': [1, 0, 0, 0],
  'patroni__pg_xid_xmin_age_alert.md': [3, 0, 0, 0],
  'patroni__postgres-automatic-reindexing.md': [2, 2, 2, 16],
  'patroni__postgres-data-corruption.md': [4, 0, 0, 0],
  'patroni__postgresql-backups-wale-walg.md': [9, 5, 5, 44],
  'patroni__postgresql-query-load-evaluation.md': [7, 0, 0, 0],
  'patroni__postgresql-role-credential-rotation.md': [31, 0, 0, 0],
  'patroni__provisioning_bench_env.md': [1, 0, 0, 0],
  'redis__redis.md': [20, 14, 30, 112],
  'registry__gitlab-registry.md': [1, 0, 0, 0],
  'sentry__sentry-is-down.md': [2, 0, 0, 0],
  'sidekiq__large-sidekiq-queue.md': [5, 5, 7, 0],
  'uncategorized__disable-chef-runs-on-a-vm.md': [3, 3, 6, 4],
  'uncategorized__osquery.md': [1, 0, 0, 0],
  'uncategorized__reindex-package-in-packagecloud.md': [1, 1, 4, 0],
  'uncategorized__setup-oauth2-proxy-protected-application.md': [3, 3, 3, 0],
  'uncategorized__upload-file-to-gcs-using-signed-url.md': [14, 12, 13, 5],
  'vault__vault.md': [5, 0, 0, 0],
};

describe.skipIf(!CORPUS)('console sessions in gitlab-runbooks', () => {
  const files = CORPUS ? readdirSync(CORPUS).filter((name) => name.endsWith('.md')).sort() : [];

  it.each(files)('%s: commands vs output', (name) => {
    const runbook = read(name);
    const sessions = runbook.cells.filter((c) => c.session);
    const counts = [runbook.cells.length, sessions.length, ...['commands', 'outputLines'].map((key) =>
      sessions.reduce((sum, c) => sum + (c.session![key as 'commands' | 'outputLines']), 0))];
    expect(counts).toEqual(COUNTS[name] ?? [0, 0, 0, 0]);
    for (const cell of sessions) {
      // Nothing that runs still carries a `$ ` prompt, and every command is a line the author wrote.
      expect(cell.source).not.toMatch(/^\$ /m);
      const written = cell.session!.written.split('\n');
      cell.session!.sourceLines.forEach((line, index) => expect(written[line - 1]!.endsWith(cell.source.split('\n')[index]!)).toBe(true));
    }
  });

  it('pg_repack: one command runs; the 34 lines it printed, recommended commands included, do not', () => {
    const cell = at('patroni__pg_repack.md', 105);
    expect(cell.source).toBe('/var/opt/gitlab/postgresql/gitlab-pgrepack/bin/gitlab-pgrepack estimate');
    expect(cell.session).toMatchObject({ prompt: 'gerardoherzig@patroni-04-db-gstg.c.gitlab-staging-1.internal:~$', commands: 1, outputLines: 34 });
    expect(cell.session!.written).toContain('gitlab-pgrepack repack --type=tables --objects=public.project_mirror_data');
  });

  it('k8s operations: four commands with their trailing comments; the crictl process table is output', () => {
    const cell = at('kube__k8s-operations.md', 375);
    expect(cell.source.split('\n').map((line) => line.split(' ')[0])).toEqual(['CONTAINER_ID=3e97fd097b8eb9c2d71fdf9641dfa1cba189f4b110a57c939de59292912b5afd', 'crictl', 'CONTAINER_ROOTFS="$(sudo', 'toolbox']);
    expect(cell.session!.lines.filter((l) => l.kind === 'output').map((l) => l.text.split(/[\s/]+/)[0] || l.text.split('/')[1])).toEqual(['UID', 'root', 'root', 'root', 'media']);
  });

  it('gitaly-ruby: the comment above the first prompt does not stop the cell being a session', () => {
    const cell = at('gitaly__gracefully-restart-gitaly-ruby.md', 5);
    expect(cell.source).toMatch(/^pgrep -f \/opt\/gitlab\/embedded\/service\/gitaly-ruby\/bin\/gitaly-ruby \| while read i; do/);
    expect(cell.session!.lines[0]).toEqual({ kind: 'output', text: '# Wait 5 seconds between killing gitaly-ruby workers so that the next one available has time to take over' });
  });

  it('automatic reindexing: a psql session in a sql fence runs its one SELECT', () => {
    const cell = at('patroni__postgres-automatic-reindexing.md', 69);
    expect(cell).toMatchObject({ lang: 'sql', source: 'select * from postgres_reindex_actions order by action_start desc limit 10;' });
    expect(cell.session).toMatchObject({ prompt: 'gitlabhq_production=#', commands: 1, outputLines: 13 });
  });

  it('disable chef: four sudo commands run; the comments between them are kept, not run', () => {
    const cell = at('uncategorized__disable-chef-runs-on-a-vm.md', 48);
    expect(cell.source).toBe('sudo service chef-client stop\nsudo mv /etc/chef /etc/chef.{reason}\nsudo mv /etc/chef.{reason} /etc/chef\nsudo service chef-client start');
  });
});
