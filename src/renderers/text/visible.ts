/**
 * Terminal control characters in what a run shows — a value, a command's output, a SQL
 * result column, an actor's name from the shared log — are shown, never obeyed: `ESC]52;…`
 * would write the clipboard, `ESC[2J` clear the screen, `ESC]8;;url` hide a link, a lone
 * CR overwrite a line. They come out as psql prints them, `\x1B`, `\r`, `\x07` (C1 controls
 * and the bidirectional overrides as `\u009B`, `\u202E`); tab and newline stay. Every
 * screen renderer (plain, the console, replay, follow) passes each event through
 * visibleEvent() before it looks at it; the transcript and the NDJSON stream keep the bytes.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]|\r(?!\n)/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\x00-\x08\x0B-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]/;

/** The text with every control character (but tab, newline and CRLF) written out visibly. */
export function showControls(text: string): string {
  if (!HAS_CONTROL.test(text)) return text;
  return text.replace(CONTROL, (char) => {
    if (char === '\r') return '\\r';
    const code = char.charCodeAt(0);
    return code <= 0x7f ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

/** The event with every string in it passed through showControls(); the same object when nothing changes. */
export function visibleEvent<T>(event: T): T {
  return visible(event) as T;
}

function visible(value: unknown): unknown {
  if (typeof value === 'string') return showControls(value);
  // Copy on write (no copy of a row with nothing to show, no entry pairs): a screen renderer sees every event.
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const shown = visible(item);
      if (shown !== item) (out ??= value.slice())[index] = shown;
    }
    return out ?? value;
  }
  if (value && typeof value === 'object') {
    let out: Record<string, unknown> | undefined;
    // Indexed: unoptimized code allocates an iterator result per step of a for…of.
    const keys = Object.keys(value);
    for (let at = 0; at < keys.length; at++) {
      const key = keys[at]!;
      const item = (value as Record<string, unknown>)[key];
      const shown = visible(item);
      if (shown !== item) (out ??= { ...(value as Record<string, unknown>) })[key] = shown;
    }
    return out ?? value;
  }
  return value;
}
