/**
 * Secrets never leave the process. One masking transform, used by every sink through the
 * emitter (screen, NDJSON, transcript) and, for output streams, by the per-cell stream
 * (sidecar files included) with a carry-over so no chunk boundary cuts a secret in two;
 * the timeline, cast and replay read the masked transcript. A secret is masked in every
 * form the engine itself produces: as given, as a SQL literal (`''`), in an `E''` string
 * (`\\`), JSON-escaped, URL-encoded, shell-quoted. Connection-string passwords are read
 * by the driver's parser (connection-string.ts) before anything prints them.
 */
import { passwordForms } from './connection-string.js';

export const MASK = '********';

const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL/i;
/** Shorter values are not masked: masking every "1" would destroy the record, not protect it. */
const MIN_SECRET = 3;

/** `*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*KEY*` (any case) name a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Passwords in URLs and `password=` pairs that no known secret covers (any host, any scheme). */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^\s]*@(?=[^@\s]*)/gi;
const PASSWORD_PAIR = /(\bpassword\s*=\s*)(?:'(?:\\.|[^'\\])*'|[^&\s'"]+)/gi;
const CONNECTION_RULES = [
  { pattern: URL_PASSWORD, replacement: `$1${MASK}@` },
  { pattern: PASSWORD_PAIR, replacement: `$1${MASK}` },
] as const;
/** The character PowerShell's table formatter (and many tools) put where they cut a value short. */
const ELLIPSIS = '\u2026';

/** A connection string with its password masked, however it was written. Other text comes back unchanged. */
export function maskUrl(url: string): string {
  return maskConnection(createRedactor(urlPasswords(url))(url));
}

/** Every spelling of the password in a connection string (URL, key/value, scheme-less). */
export function urlPasswords(url: string): string[] {
  return passwordForms(url);
}

export interface Redact {
  (text: string): string;
  /** Length of the longest masked form: a stream holds back one less than this at a chunk's end. */
  readonly longest: number;
  /** Whether some form spans lines (a PEM key): then no line end is a safe place to cut either. */
  readonly multiline: number;
  /** Where forms occur in `text`, as [start, end) pairs, for cutting a stream between them. */
  spans(text: string): [number, number][];
  /**
   * Masks the last text of a stream: as the transform does, and a fragment at its very end
   * that begins a secret (`yes "$s" | head -c N` cuts one anywhere) is masked too.
   */
  atEnd(text: string): string;
  /** The same masking as data, for a process that lays values out itself (PowerShell's formatter). */
  readonly rules: MaskRules;
}

/**
 * Masking as data, for an interpreter that formats values itself and so must mask them
 * before it wraps or truncates them (the pwsh session): the forms of every secret, longest
 * first, replaced by `mask`, then each pattern (regular-expression source, case-insensitive,
 * `$1` in the replacement) over what is left.
 */
export interface MaskRules {
  mask: string;
  forms: readonly string[];
  patterns: readonly { source: string; replacement: string }[];
}

/** The forms of one secret value that the engine or a tool may print. */
export function secretForms(value: string): string[] {
  const forms = new Set([value]);
  forms.add(value.replace(/'/g, "''"));
  forms.add(value.replace(/\\/g, '\\\\').replace(/'/g, "''"));
  forms.add(value.replace(/\\/g, '\\\\'));
  forms.add(JSON.stringify(value).slice(1, -1));
  forms.add(encodeURIComponent(value));
  forms.add(value.replace(/'/g, `'\\''`));
  return [...forms];
}

/**
 * Builds the transform that masks every known secret (in all its forms) and every URL
 * password in a text. Longer forms are replaced first so a secret that contains another is masked whole.
 */
export function createRedactor(secrets: Iterable<string>): Redact {
  const forms = new Set<string>();
  for (const secret of secrets) if (secret.length >= MIN_SECRET) for (const form of secretForms(secret)) forms.add(form);
  const values = [...forms].sort((a, b) => b.length - a.length);
  const pattern = values.length ? new RegExp(values.map(escapeRegExp).join('|'), 'g') : undefined;
  const redact = ((text: string) => {
    const masked = pattern ? text.replace(pattern, MASK) : text;
    return maskConnection(values.length && masked.includes(ELLIPSIS) ? maskCutPrefixes(masked, values) : masked);
  }) as Redact;
  const longest = values[0]?.length ?? 0;
  const multiline = Math.max(0, ...values.filter((v) => v.includes('\n')).map((v) => v.length));
  const rules: MaskRules = { mask: MASK, forms: values, patterns: CONNECTION_RULES.map(({ pattern, replacement }) => ({ source: pattern.source, replacement })) };
  return Object.assign(redact, {
    longest,
    multiline,
    rules,
    spans: (text: string): [number, number][] => (pattern ? [...text.matchAll(pattern)].map((m) => [m.index, m.index + m[0].length]) : []),
    atEnd: (text: string): string => {
      const masked = redact(text);
      let cut = masked.length;
      for (const form of values) {
        for (let k = Math.min(form.length - 1, masked.length); k >= MIN_SECRET && masked.length - k < cut; k--) {
          if (masked.endsWith(form.slice(0, k))) cut = masked.length - k;
        }
      }
      return cut < masked.length ? masked.slice(0, cut) + MASK : masked;
    },
  });
}

/**
 * Applies a redactor to every string inside a JSON-like value. Copy on write: an array or
 * object in which something was masked is a new one (the input is never changed), one in
 * which nothing was is returned as it is, so an event without a secret in it (nearly every
 * one) costs no copy of its rows.
 */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const masked = redactDeep(item, redact);
      if (masked !== item) (out ??= value.slice())[index] = masked;
    }
    return (out ?? value) as T;
  }
  if (value && typeof value === 'object') {
    let out: Record<string, unknown> | undefined;
    // Indexed: unoptimized code allocates an iterator result per step of a for…of.
    const keys = Object.keys(value);
    for (let at = 0; at < keys.length; at++) {
      const key = keys[at]!;
      const item = (value as Record<string, unknown>)[key];
      const masked = redactDeep(item, redact);
      if (masked !== item) (out ??= { ...(value as Record<string, unknown>) })[key] = masked;
    }
    return (out ?? value) as T;
  }
  return value;
}

function maskConnection(text: string): string {
  // Indexed, not destructured: array destructuring runs the iterator protocol, an object per string masked.
  const url = CONNECTION_RULES[0];
  const pair = CONNECTION_RULES[1];
  let masked = text.includes('://') ? text.replace(url.pattern, url.replacement) : text;
  if (/password\s*=/i.test(masked)) masked = masked.replace(pair.pattern, pair.replacement);
  return masked;
}

/**
 * A value cut short by a formatter (`tk_live_9f3a…` from a table column, or a cell's own
 * `Out-String -Width 40`) shows a prefix of it before `…`: a prefix of a secret's form
 * there is masked. Such a prefix can only come from the secret, or be the start of some
 * other value that happens to share it: masking that cut value too costs nothing.
 */
function maskCutPrefixes(text: string, forms: readonly string[]): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf(ELLIPSIS); at >= 0; at = text.indexOf(ELLIPSIS, at + 1)) {
    let cut = at;
    for (const form of forms) {
      // The longest prefix first: the earliest start whose text up to `…` begins the form.
      for (let start = Math.max(from, at - form.length + 1); start <= at - MIN_SECRET && start < cut; start++) {
        if (text.charCodeAt(start) === form.charCodeAt(0) && form.startsWith(text.slice(start, at))) {
          cut = start;
          break;
        }
      }
    }
    out += text.slice(from, cut) + (cut < at ? MASK : '');
    from = at;
  }
  return out + text.slice(from);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
