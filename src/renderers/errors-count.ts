/** How renderers say the errors a cell wrote and went on after (`cell.finished.errors`, PowerShell). */

/** `1 error`, `2 errors`; empty for none. */
export function errorsCount(errors: number | undefined): string {
  if (!errors) return '';
  return `${errors} ${errors === 1 ? 'error' : 'errors'}`;
}

/** ` · 2 errors` after a status line; empty for none. */
export function errorsSuffix(errors: number | undefined): string {
  const text = errorsCount(errors);
  return text ? ` · ${text}` : '';
}
