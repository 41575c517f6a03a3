/**
 * The judge of sandbox seeds (src/engine/sandbox/seed-review.ts), on in-memory seeds: every
 * spelling of a statement that reaches outside the database is found, with its line; a seed
 * that only builds its database, like the shipped Dragonfly one, reaches nothing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Seed } from '../src/engine/sandbox/seed.js';
import { reviewSeed } from '../src/engine/sandbox/seed-review.js';
import { parseSessions } from '../src/engine/sandbox/sessions.js';

const seed = (text: string): Seed => ({ file: 's.sandbox.sql', database: 's', text, bytes: Buffer.byteLength(text), sha256: 'x', sessions: parseSessions(text) });
const whys = async (text: string) => (await reviewSeed(seed(text))).reaches.map((reach) => reach.why);

describe('reviewSeed', () => {
  it.each([
    ["COPY t TO PROGRAM 'id'", /runs a program on this machine \(COPY … TO PROGRAM\)/],
    ["COPY t FROM PROGRAM 'id'", /COPY … FROM PROGRAM/],
    ["COPY t FROM '/etc/passwd'", /reads a file of this machine \(COPY … FROM "\/etc\/passwd"\)/],
    ["COPY (SELECT 1) TO '/tmp/x\u001b[2J'", /writes a file of this machine \(COPY … TO "\/tmp\/x\\u001b\[2J"\)/],
    ['SELECT "lo_export"(1, \'/x\')', /lo_export: writes a file/],
    ["SELECT pg_catalog.LO_IMPORT('/etc/passwd')", /lo_import: reads a file/],
    ['SELECT lo_from_bytea(0, \'x\')', /lo_from_bytea: large objects/],
    ["SELECT public.dblink_exec('host=prod', 'DELETE FROM t')", /dblink_exec: connects to another server/],
    ['CREATE AGGREGATE a(text) (SFUNC = dblink_exec, STYPE = text)', /dblink_exec/],
    ['CREATE OPERATOR ### (PROCEDURE = pg_read_file, RIGHTARG = text)', /pg_read_file: reads a file/],
    ['CREATE CAST (text AS int) WITH FUNCTION pg_read_file(text)', /pg_read_file/],
    ['SELECT * FROM pg_ls_waldir()', /lists a directory/],
    ["ALTER SYSTEM SET archive_command = 'curl x'", /ALTER SYSTEM/],
    ["SELECT set_config('session_preload_libraries', 'x', false)", /session_preload_libraries: loads server code/],
    ["ALTER ROLE r SET local_preload_libraries = 'x'", /local_preload_libraries/],
    ['GRANT pg_execute_server_program TO bob', /pg_execute_server_program: lets a role run programs/],
    ['CREATE ROLE bob IN ROLE pg_write_server_files', /pg_write_server_files/],
    ["LOAD 'auto_explain'", /loads a shared library/],
    ['CREATE EXTENSION dblink', /loads an extension/],
    ["CREATE TABLESPACE ts LOCATION '/tmp/ts'", /tablespace/],
    ["CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'prod')", /another server/],
    ["CREATE SUBSCRIPTION s CONNECTION 'host=prod' PUBLICATION p", /subscription/],
    ["SELECT query_to_xml('COPY t TO PROGRAM ''id''', true, true, '')", /query_to_xml: runs SQL given as text/],
    ["DO $$ BEGIN EXECUTE 'CO' || 'PY t TO PRO' || 'GRAM ''id'''; END $$", /EXECUTE in a PL\/pgSQL body/],
    ["DO $$ BEGIN COPY t TO PROGRAM 'id'; END $$", /COPY in a PL\/pgSQL body/],
    ["DO $$ BEGIN PERFORM U&\"\\006C\\006F_export\"(1, '/x'); END $$", /Unicode escapes/],
    ["CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $f$ SELECT lo_export(1, '/y') $f$", /lo_export/],
    ["CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'SELECT 1; COPY t TO PROGRAM ''id'''", /COPY … TO PROGRAM/],
    ["CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT dblink_exec('x', 'y'); END", /dblink_exec/],
    ["CREATE FUNCTION h() RETURNS int LANGUAGE plpython3u AS 'import os'", /LANGUAGE plpython3u/],
    ["CREATE FUNCTION i(text) RETURNS text LANGUAGE internal AS 'pg_read_file_off_len'", /LANGUAGE internal/],
    ["CREATE FUNCTION j() RETURNS int LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'SELECT 1'; RETURN 1; END $$", /EXECUTE/],
    ["-- runbook:session name=w role=r sql=\"COPY (SELECT 1) TO PROGRAM 'id'\"\nSELECT 1", /COPY … TO PROGRAM\) \(session w\)/],
  ])('%s', async (sql, why) => {
    expect((await whys(`CREATE TABLE t (id int);\n${sql};\n`)).join('\n')).toMatch(why);
  });

  it('names the line of the statement, after the comments before it', async () => {
    const review = await reviewSeed(seed("CREATE TABLE t (id int);\n\n-- export the table\n/* twice */\nCOPY t\n  TO PROGRAM 'id';\n"));
    expect(review.reaches).toEqual([{ line: 5, statement: 'COPY t', why: 'runs a program on this machine (COPY … TO PROGRAM)' }]);
    expect(review.statements).toBe(2);
  });

  it.each([
    'CREATE TABLE lo_things (lo_count int); INSERT INTO lo_things VALUES (1)',
    "COPY t TO STDOUT; COPY t FROM STDIN; SELECT 'COPY t TO PROGRAM ''id'''",
    "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app') THEN CREATE ROLE app LOGIN; END IF; END $$",
    'CREATE FUNCTION k() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$',
    'CREATE TABLE (broken',
  ])('reaches nothing: %s', async (sql) => {
    expect(await whys(`CREATE TABLE t (id int);\n${sql};\n`)).toEqual([]);
  });

  it('the shipped runbooks/dragonfly.sandbox.sql reaches nothing: the quick start asks nothing', async () => {
    expect(await whys(readFileSync('runbooks/dragonfly.sandbox.sql', 'utf8'))).toEqual([]);
  });
});
