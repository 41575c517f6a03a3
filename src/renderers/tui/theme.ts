/**
 * Colour, or none: NO_COLOR (any non-empty value, https://no-color.org) turns every
 * colour off. Bold and inverse stay, so the PRODUCTION badge is still loud without colour.
 */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR;
}

/** A colour for Ink's `color` prop, or undefined when colour is off. */
export function tone(color: string): string | undefined {
  return colorEnabled() ? color : undefined;
}

export const STATUS_COLOR = {
  pending: 'gray',
  running: 'cyan',
  succeeded: 'green',
  failed: 'red',
  skipped: 'gray',
  cancelled: 'yellow',
  'timed-out': 'magenta',
} as const;
