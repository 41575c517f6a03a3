/**
 * Syntax colour for sql, powershell and sh sources, with `<PLACEHOLDER>`s marked in
 * inverse video so an operator sees at once what still needs a value.
 */
import { highlight } from 'cli-highlight';
import type { Lang } from '../../engine/runbook.js';
import { colorEnabled } from './theme.js';
import { bindSql } from '../../engine/lang/sql/placeholders.js';
import { languageOf } from '../../engine/lang/language.js';

const LANGUAGE: Record<Lang, string> = { sql: 'sql', powershell: 'powershell', sh: 'bash' };
const PLACEHOLDER = /<([A-Za-z_][A-Za-z0-9_-]*)>/g;
const INVERSE_ON = '\u001b[7m';
const INVERSE_OFF = '\u001b[27m';

export interface HighlightOptions {
  color?: boolean;
  /** Values bound so far: shown in place of their placeholder (still marked); a secret's as the mask. */
  values?: Record<string, string>;
}

/** The source with ANSI colour (none under NO_COLOR) and its placeholders marked, or their values in place. */
export function highlightSource(source: string, lang: Lang, options: HighlightOptions = {}): string {
  const color = options.color ?? colorEnabled();
  const names: string[] = [];
  // SQL values are shown as they run: the binder's own quoting (`= 'INC-42'`, not `= INC-42`).
  const bound = languageOf(lang).runsIn === 'database' && options.values ? boundForDisplay(source, options.values) : undefined;
  // Placeholders become plain identifiers while highlighting, so `<` and `>` are not
  // coloured as operators, then come back marked.
  const tokenised = (bound?.text ?? source).replace(PLACEHOLDER, (_m, name: string) => `__RBPH${names.push(name) - 1}__`);
  let coloured = tokenised;
  if (color) {
    try {
      coloured = highlight(tokenised, { language: LANGUAGE[lang], ignoreIllegals: true });
    } catch {
      // A grammar that chokes on odd input leaves the source plain, never unreadable.
    }
  }
  // Inverse off (not a full reset) so a placeholder inside a string keeps the string's colour after it.
  return coloured
    .replace(/__RBPH(\d+)__/g, (_m, i: string) => {
      const name = names[Number(i)] as string;
      return `${INVERSE_ON}${options.values?.[name] ?? `<${name}>`}${INVERSE_OFF}`;
    })
    .replace(/__RBVL(\d+)__/g, (_m, i: string) => `${INVERSE_ON}${(bound?.values[Number(i)] ?? '').replace(/'/g, "''")}${INVERSE_OFF}`);
}

/**
 * The SQL as the binder writes it, each bound value a token inside the quotes it gets, so
 * the value (its quotes doubled, as in the literal that runs) is put back marked. Undefined
 * when no value applies or the binder refuses (the run says why; the screen shows the text).
 */
function boundForDisplay(source: string, values: Record<string, string>): { text: string; values: string[] } | undefined {
  const names = Object.keys(values).filter((name) => source.includes(`<${name}>`));
  if (names.length === 0) return undefined;
  const tokens = Object.fromEntries(names.map((name, i) => [name, `__RBVL${i}__`]));
  try {
    return { text: bindSql(source, names, tokens), values: names.map((name) => values[name] as string) };
  } catch {
    return undefined;
  }
}
