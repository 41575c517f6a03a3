/**
 * One target, said aloud: shell cells get the run's target in DATABASE_URL, the
 * frontmatter's variable and libpq's PG* names (password in a 0600 PGPASSFILE); a cell
 * that moves any of them is recorded (`target.changed`, masked); in a sandbox run they are
 * set back before every cell. Secrets a cell loads join the masking for the rest of the run.
 * Real PostgreSQL, real bash and psql, the world's real load_env.ps1 under real pwsh.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runner, type RunnerOptions } from '../src/engine/runner.js';
import { parseRunbook } from '../src/engine/parse.js';
import { TranscriptWriter } from '../src/engine/transcript.js';
import { freshDatabase } from './support/database.js';
import { collector, postgresTarget, runEach, scriptedOperator, tempDir } from './runner-support.js';
import { makeWorld, removeWorlds, worldReady } from './support/world.js';
import type { Target } from '../src/engine/target.js';
import { targetChangedText } from '../src/renderers/target-changed.js';

const PROD = 'postgres://ops:prod-pw-7781@prod.example.com:6543/prod';
const TOKEN = 'tok-loaded-midrun-9d2c41';

const RUNBOOK = `---
database: $APP_DB_URL
---
# Env

## Load

\`\`\`sh {name=load}
export APP_DB_URL='${PROD}' PGHOST=prod.example.com PGHOSTADDR=10.9.8.7 API_TOKEN="$(cat token.txt)"
\`\`\`

## Use

\`\`\`sh {name=use}
echo "url=$APP_DB_URL db=$DATABASE_URL host=$PGHOST addr=\${PGHOSTADDR:-unset} pw=\${PGPASSWORD:-unset} token=$API_TOKEN"
psql -Atc "select 'reached ' || current_database()"
stat -c 'passfile %a' "$PGPASSFILE"
for i in $(seq 1 300); do echo "spill $i $API_TOKEN"; done
\`\`\`
`;

let db: string;
beforeAll(async () => {
  db = await freshDatabase('tenv');
});
afterAll(() => removeWorlds());

async function run(kind: Target['kind'], text = RUNBOOK, path = join(tempDir(), 'env.md'), envVar = 'APP_DB_URL') {
  // Loaded from a file beside the runbook, as a script loads an env file: the run learns of it from the environment the cell left.
  writeFileSync(join(path, '..', 'token.txt'), TOKEN);
  const dir = tempDir();
  const transcriptPath = join(dir, 't.jsonl');
  const transcript = TranscriptWriter.open(transcriptPath);
  const seen = collector();
  const env = { ...process.env, PGPASSWORD: 'not-the-targets-pw', APP_DB_URL: '' };
  const options: RunnerOptions = {
    runbook: parseRunbook(text, path),
    operator: scriptedOperator(runEach),
    target: { ...postgresTarget(db, kind), envVar },
    mode: 'unattended',
    allowWrites: true,
    keepGoing: true,
    variables: [],
    actor: 'tester',
    argv: [],
    env,
    transcript,
    sinks: [seen.sink],
    outputCapBytes: 4096,
  };
  await new Runner(options).run();
  transcript.close();
  const output = (cell: string) => seen.of('cell.output').filter((e) => e.cell === cell).map((e) => e.data).join('');
  const files = readdirSync(dir).map((name) => readFileSync(join(dir, name), 'utf8'));
  return { seen, output, files, transcriptPath };
}

describe('the run target in shell cells', () => {
  it('a sandbox run sets it back before every cell, and says so; a bare psql reaches the target through a 0600 PGPASSFILE', async () => {
    const { seen, output, files } = await run('sandbox');
    const name = new URL(db).pathname.slice(1);
    const use = output('use');
    expect(use).toMatch(new RegExp(`url=postgres://postgres:\\*+@127\\.0\\.0\\.1:\\d+/${name} db=postgres://postgres:\\*+@127\\.0\\.0\\.1:\\d+/${name} host=127\\.0\\.0\\.1 addr=unset pw=unset`));
    expect(use).toContain(`reached ${name}`);
    expect(use).toContain('passfile 600');
    const changed = seen.of('target.changed');
    expect(changed.map((e) => [e.cell, e.name, e.reset])).toEqual([
      ['load', 'APP_DB_URL', true],
      ['load', 'PGHOST', true],
      ['load', 'PGHOSTADDR', true],
    ]);
    expect(changed[0]).toMatchObject({ from: expect.stringMatching(/^postgres:\/\/postgres:\*+@127\.0\.0\.1/), to: 'postgres://ops:********@prod.example.com:6543/prod' });
    expect(targetChangedText(changed[0]!)).toBe('⚠ load set APP_DB_URL to postgres://ops:********@prod.example.com:6543/prod; reset to the sandbox for this drill');
    expect(seen.of('cell.finished').map((e) => [e.cell, e.status])).toEqual([['load', 'succeeded'], ['use', 'succeeded']]);
    // The token the first cell loaded was printed by the second: masked there and in every file (the sidecar too: 300 lines spill past the 4 KiB cap).
    expect(use).toContain('token=********');
    expect(files.length).toBeGreaterThan(1);
    for (const text of [...files, JSON.stringify(seen.events)]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('prod-pw-7781');
    }
  });

  it('in a run against a real database, later shell cells follow the change, and the record says so', async () => {
    const { seen, output } = await run('postgres');
    expect(output('use')).toContain('url=postgres://ops:********@prod.example.com:6543/prod');
    expect(output('use')).toContain('host=prod.example.com');
    expect(seen.of('target.changed')[0]).toMatchObject({ cell: 'load', name: 'APP_DB_URL', reset: false });
    expect(targetChangedText(seen.of('target.changed')[0]!)).toContain("the shell and PowerShell cells after it follow it, the SQL cells stay on the run's target");
  });

  it.runIf(worldReady)(
    "the world's load_env.ps1 (dev): every later PowerShell cell stays on the sandbox, the reset is said, the service-role key is in no file",
    async () => {
      const world = makeWorld(db).dir;
      const key = /^SUPABASE_SERVICE_ROLE_KEY=(.*)$/m.exec(readFileSync(join(world, '.env.dev'), 'utf8'))?.[1] as string;
      expect(key.length).toBeGreaterThan(6);
      const text = [
        '---\ndatabase: $SUPABASE_DB_URL\n---\n# Drill\n',
        '## Env Hygiene\n\n```powershell {name=env-hygiene}\n. ./scripts/load_env.ps1\n```\n',
        '## Look\n\n```powershell {name=look}\nWrite-Output "url=$env:SUPABASE_DB_URL key=$env:SUPABASE_SERVICE_ROLE_KEY"\npsql -Atc "select \'pwsh reached \' || current_database()"\n```\n',
      ].join('\n');
      const path = join(world, 'drill.md');
      writeFileSync(path, text);
      const { seen, output, files } = await run('sandbox', text, path, 'SUPABASE_DB_URL');
      const name = new URL(db).pathname.slice(1);
      expect(seen.of('cell.finished').map((e) => [e.cell, e.status])).toEqual([['env-hygiene', 'succeeded'], ['look', 'succeeded']]);
      expect(seen.of('target.changed').map(targetChangedText).join('\n')).toMatch(/⚠ env-hygiene set SUPABASE_DB_URL to postgresql:\/\/postgres:\*+@127\.0\.0\.1:54322\/postgres; reset to the sandbox for this drill/);
      expect(output('look')).toMatch(new RegExp(`url=postgres://postgres:\\*+@127\\.0\\.0\\.1:\\d+/${name} key=\\*{8}`));
      expect(output('look')).toContain(`pwsh reached ${name}`);
      for (const file of [...files, JSON.stringify(seen.events)]) expect(file).not.toContain(key);
    },
    120_000,
  );

  it('a short PGPASSWORD is never in the record; a variable the frontmatter marks secret is masked once a cell sets it', async () => {
    const text = [
      '---\ndatabase: $APP_DB_URL\nvariables:\n  SESSION_COOKIE:\n    secret: true\n---\n# S\n',
      '## Set\n\n```sh {name=set}\nexport PGPASSWORD=abc SESSION_COOKIE="$(cat token.txt)-cookie"\n```\n',
      '## Print\n\n```sh {name=print}\necho "cookie=$SESSION_COOKIE"\n```\n',
    ].join('\n');
    const { seen, files } = await run('postgres', text);
    expect(seen.of('target.changed')).toEqual([expect.objectContaining({ cell: 'set', name: 'PGPASSWORD', to: '********', reset: false })]);
    expect(seen.of('cell.output').map((e) => e.data).join('')).toBe('cookie=********\n');
    for (const file of files) expect(file).not.toContain(`${TOKEN}-cookie`);
    expect(JSON.stringify(seen.of('target.changed'))).not.toMatch(/"abc"/);
  });
});
