/**
 * Ids people can type: heading slugs, made unique within a document.
 */

// Printable ASCII, tabs and line ends take the fast path; anything else (a control character, any code unit above 0x7e) the definition.
const NOT_ASCII = /[^\x20-\x7e\t\n\r]/;

/** `1. Immediate Containment (< 2 min)` → `1-immediate-containment-2-min`. */
export function slug(text: string): string {
  // ASCII, as most headings are: NFKD changes nothing and \p{L}\p{N} is [a-z0-9] after
  // lowercasing, so skip ICU's normaliser and the Unicode regex (~1 ms at start-up, issue #29).
  if (!NOT_ASCII.test(text)) return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Hands out unique ids: the first request for `x` gets `x`, later ones `x-2`, `x-3`…,
 * skipping any id already taken (for example by an explicit cell name).
 */
export class UniqueIds {
  private readonly taken = new Set<string>();
  private readonly next = new Map<string, number>();

  constructor(reserved: Iterable<string> = []) {
    for (const id of reserved) this.taken.add(id);
  }

  has(id: string): boolean {
    return this.taken.has(id);
  }

  /** Marks an id as used without numbering it; false when it was already used. */
  claim(id: string): boolean {
    if (this.taken.has(id)) return false;
    this.taken.add(id);
    return true;
  }

  /** `base` if free, else the first free `base-N`. */
  take(base: string): string {
    let counter = this.next.get(base) ?? 1;
    let candidate = counter === 1 ? base : `${base}-${counter}`;
    while (this.taken.has(candidate)) {
      counter += 1;
      candidate = `${base}-${counter}`;
    }
    this.next.set(base, counter + 1);
    this.taken.add(candidate);
    return candidate;
  }
}
