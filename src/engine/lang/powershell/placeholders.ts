/**
 * Binds `<NAME>` placeholders in PowerShell where PowerShell's own parser
 * ([System.Management.Automation.Language.Parser]::ParseInput, in the run's pwsh session)
 * puts them, always as a reference to the environment variable that holds the value,
 * `${env:RUNBOOK_VAR_NAME}`: the value is data and is never parsed as code.
 * - in a comment (`#…`, `<#…#>`): stays as written;
 * - in `'…'` or `@'…'@`, which cannot expand anything: the literal becomes the equivalent
 *   expandable string, its own text escaped (`` ` ``, `$`, `"`);
 * - in `"…"`, `@"…"@`, a bareword argument (`migrations/<timestamp>_rollback.sql`) or where a
 *   token starts (`--commit <GOOD_SHA>`, `$sha = <GOOD_SHA>`; PowerShell reads that `<` as a
 *   redirection): the reference in place, so a bareword stays one argument;
 * - as (part of) a command name, or inside any other token (a variable name, a number): refused;
 * - in text PowerShell or a program it starts parses again (Invoke-Expression/iex, Add-Type,
 *   [scriptblock]::Create, .InvokeScript/.ExpandString/.AddScript, pwsh -Command, bash -c),
 *   judged from PowerShell's AST in the session (host.ps1, Get-Reparsed): refused;
 * - after `--%` (stop-parsing), where nothing expands: refused.
 */
import { InputError } from '../../errors.js';
import type { ParseReport } from './session.js';
import { lineAt, longestFirst, placeholderAt } from '../../placeholders/names.js';

export type { ParseReport } from './session.js';

/** PowerShell's parser, as the pwsh session offers it. */
export interface PowerShellParser {
  parse(source: string, at: readonly number[]): Promise<ParseReport>;
}

interface Occurrence {
  at: number;
  name: string;
}

/** Where each `<NAME>` of `names` stands in `source` (the offset of its `<`). */
export function placeholderOccurrences(source: string, names: readonly string[]): Occurrence[] {
  const sorted = longestFirst(names);
  const found: Occurrence[] = [];
  for (let at = source.indexOf('<'); at >= 0; at = source.indexOf('<', at + 1)) {
    const name = placeholderAt(source, at, sorted);
    if (name === undefined) continue;
    found.push({ at, name });
    at += name.length + 1;
  }
  return found;
}

/** Rewrites the placeholders using the parser's report on `source` (asked about every occurrence's offset). */
export function bindPowerShell(source: string, names: readonly string[], envName: (name: string) => string, report: ParseReport): string {
  const occurrences = placeholderOccurrences(source, names);
  const spots = new Map(report.spots.map((spot) => [spot.at, spot]));
  const ref = (name: string) => `\${env:${envName(name)}}`;
  let out = '';
  let cursor = 0;
  for (let index = 0; index < occurrences.length; index++) {
    const { at, name } = occurrences[index]!;
    if (at < cursor) continue;
    const spot = spots.get(at);
    const where = `<${name}> at line ${lineAt(source, at)}`;
    if (spot?.kind === undefined || spot.start === undefined || spot.end === undefined) {
      throw new InputError(`cannot bind ${where}: PowerShell's parser puts no token there`);
    }
    if (spot.kind !== 'Comment' && spot.reparsed) {
      throw new InputError(
        `cannot bind ${where}: it sits in ${spot.reparsed}, where the value would run; pass it as data instead: a parameter (& { param($v) … $v … } "<${name}>") or $env:${envName(name)} read by the code when it runs`,
      );
    }
    if (spot.verbatim) {
      throw new InputError(`cannot bind ${where}: it stands after --% (stop-parsing), where PowerShell expands nothing and the program would get the text \${env:…} itself; drop --% and quote the argument ("<${name}>")`);
    }
    switch (spot.kind) {
      case 'Comment':
        break;
      case 'StringLiteral':
      case 'HereStringLiteral':
        out += source.slice(cursor, spot.start) + expandable(source.slice(spot.start, spot.end), spot.value ?? '', names, ref);
        cursor = spot.end;
        break;
      case 'RedirectInStd':
      case 'StringExpandable':
      case 'HereStringExpandable':
      case 'Generic':
        if (spot.commandName) {
          throw new InputError(`cannot bind ${where}: it stands in a command name, and a value never becomes a command; pass it as an argument or in a string`);
        }
        out += source.slice(cursor, at) + ref(name);
        cursor = at + name.length + 2;
        break;
      default:
        throw new InputError(`cannot bind ${where}: it stands inside a PowerShell ${spot.kind} token; write it in a string ("…<${name}>…") or as an argument`);
    }
  }
  return out + source.slice(cursor);
}

/** `'it''s <N>'` → `"it's ${env:…}"`: the literal's value (quotes already undone by the parser), escaped. */
function expandable(text: string, value: string, names: readonly string[], ref: (name: string) => string): string {
  let body = '';
  let start = 0;
  for (const { at, name } of placeholderOccurrences(value, names)) {
    body += escapeExpandable(value.slice(start, at)) + ref(name);
    start = at + name.length + 2;
  }
  body += escapeExpandable(value.slice(start));
  return text.startsWith('@') ? `@"\n${body}\n"@` : `"${body}"`;
}

/** PowerShell's double quotes include the typographic ones. */
function escapeExpandable(text: string): string {
  return text.replace(/[`$"\u201c\u201d\u201e]/g, '`$&');
}
