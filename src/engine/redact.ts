/**
 * Secrets never leave the process: passwords in connection URLs and the values of
 * secret variables are masked before an event reaches any sink (screen, NDJSON,
 * transcript, timeline).
 */
export const MASK = '********';

const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL/i;

/** `*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*KEY*` (any case) name a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** postgres://user:pw@host/db → postgres://user:********@host/db. Non-URLs come back unchanged. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@/\s]*)@/i, (_m, head: string, pw: string) =>
    pw ? `${head}${MASK}@` : `${head}@`,
  );
}

/** The password inside a connection URL, if it has one (decoded and as written). */
export function urlPasswords(url: string): string[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@/\s]+)@/i.exec(url);
  if (!match?.[1]) return [];
  const raw = match[1];
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // A malformed escape is still masked as written.
  }
  return decoded === raw ? [raw] : [raw, decoded];
}

export type Redact = (text: string) => string;

/**
 * Builds a function that masks every known secret value and every URL password in a
 * text. Longer secrets are replaced first so a secret that contains another is masked whole.
 */
export function createRedactor(secrets: Iterable<string>): Redact {
  const values = [...new Set([...secrets].filter((s) => s.length >= 3))].sort((a, b) => b.length - a.length);
  const pattern = values.length ? new RegExp(values.map(escapeRegExp).join('|'), 'g') : undefined;
  return (text) => {
    const masked = pattern ? text.replace(pattern, MASK) : text;
    return masked.includes('://') ? masked.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@/\s]+)@/gi, `$1${MASK}@`) : masked;
  };
}

/** Applies a redactor to every string inside a JSON-like value. */
export function redactDeep<T>(value: T, redact: Redact): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, redact);
    return out as T;
  }
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
