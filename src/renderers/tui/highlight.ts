/**
 * Syntax colour for sql, powershell and sh sources, with `<PLACEHOLDER>`s marked in
 * inverse video so an operator sees at once what still needs a value.
 */
import { highlight } from 'cli-highlight';
import type { Lang } from '../../engine/runbook.js';
import { colorEnabled } from './theme.js';

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
  // Placeholders become plain identifiers while highlighting, so `<` and `>` are not
  // coloured as operators, then come back marked.
  const tokenised = source.replace(PLACEHOLDER, (_m, name: string) => `__RBPH${names.push(name) - 1}__`);
  let coloured = tokenised;
  if (color) {
    try {
      coloured = highlight(tokenised, { language: LANGUAGE[lang], ignoreIllegals: true });
    } catch {
      // A grammar that chokes on odd input leaves the source plain, never unreadable.
    }
  }
  // Inverse off (not a full reset) so a placeholder inside a string keeps the string's colour after it.
  return coloured.replace(/__RBPH(\d+)__/g, (_m, i: string) => {
    const name = names[Number(i)] as string;
    return `${INVERSE_ON}${options.values?.[name] ?? `<${name}>`}${INVERSE_OFF}`;
  });
}
