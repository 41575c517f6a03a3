/** ANSI styling, or none: the same words either way, so colour never carries meaning alone. */

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  /** A badge: white on red for PRODUCTION, black on green for SANDBOX. */
  badge(text: string, tone: 'danger' | 'safe' | 'neutral'): string;
}

const sgr = (open: string, close: string) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

export function createStyle(color: boolean): Style {
  if (!color) {
    const same = (text: string) => text;
    return { bold: same, dim: same, red: same, green: same, yellow: same, cyan: same, badge: (text) => `[${text}]` };
  }
  return {
    bold: sgr('1', '22'),
    dim: sgr('2', '22'),
    red: sgr('31', '39'),
    green: sgr('32', '39'),
    yellow: sgr('33', '39'),
    cyan: sgr('36', '39'),
    badge: (text, tone) => sgr(tone === 'danger' ? '1;97;41' : tone === 'safe' ? '1;30;42' : '1;7', '0')(` ${text} `),
  };
}
