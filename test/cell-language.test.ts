/**
 * One place knows a language: outside src/engine/lang/ nothing compares `lang`, every
 * language answers the same questions, and what a language reads is its own (PowerShell's
 * `$env:HOME` is the environment, only a plain `$HOME` is PowerShell's automatic variable).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { languageOf, LANGUAGES } from '../src/engine/lang/language.js';
import { langOfTag } from '../src/engine/lang/languages.js';
import { parseRunbook } from '../src/engine/parse.js';

const SRC = join(import.meta.dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('CellLanguage', () => {
  it('nothing outside src/engine/lang/ compares a lang', () => {
    const found = sources(SRC)
      .filter((file) => !relative(SRC, file).startsWith(join('engine', 'lang')))
      .flatMap((file) => readFileSync(file, 'utf8').split('\n').map((line, i) => ({ file: relative(SRC, file), line: i + 1, text: line })))
      .filter(({ text }) => /lang (===|!==)|\.lang ?(===|!==)/.test(text));
    expect(found).toEqual([]);
  });

  it('each language owns its aliases, and every alias finds it', () => {
    const aliases = LANGUAGES.flatMap((language) => language.aliases);
    expect(new Set(aliases).size).toBe(aliases.length);
    for (const language of LANGUAGES) for (const alias of language.aliases) expect(langOfTag(alias.toUpperCase())).toBe(language.lang);
    expect(languageOf('sql').runsIn).toBe('database');
    expect(languageOf({ lang: 'powershell' }).parsedInSession).toBe(true);
  });

  it("PowerShell's $env:HOME, $env:HOST and $env:PID are environment references; $HOME and $PID are PowerShell's own", () => {
    const book = parseRunbook('# T\n\n## S\n\n```powershell\nWrite-Output $env:HOME $env:HOST $env:PID $HOME $PID $env:TOKEN\n```\n', 't.md');
    expect(book.cells[0]?.envRefs).toEqual(['HOME', 'HOST', 'PID', 'TOKEN']);
  });

  it('binds through the language, a value never becoming code', async () => {
    expect((await languageOf('sql').bind({ source: 'SELECT <V>', names: ['V'], values: { V: "x'; DROP TABLE t; --" } })).source).toBe("SELECT 'x''; DROP TABLE t; --'");
    const sh = await languageOf('sh').bind({ source: 'echo <V>', names: ['V'], values: { V: '$(rm -rf /)' } });
    expect(sh.source).toBe('echo "${RUNBOOK_VAR_V}"');
    expect(sh.env).toEqual({ RUNBOOK_VAR_V: '$(rm -rf /)' });
    await expect(languageOf('powershell').bind({ source: 'Write-Output <V>', names: ['V'], values: { V: 'x' } })).rejects.toThrow(/needs PowerShell's parser/);
  });
});
