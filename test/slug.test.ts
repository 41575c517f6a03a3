/** Heading slugs: the ASCII fast path gives exactly what the Unicode definition gives. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { slug } from '../src/engine/markdown/slug.js';

/** The definition: NFKD, combining marks dropped, lowercase, runs of anything but letters and digits to one '-', trimmed. */
const definition = (text: string) =>
  text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');

describe('slug', () => {
  it('reads headings as people write them', () => {
    expect(slug('1. Immediate Containment (< 2 min)')).toBe('1-immediate-containment-2-min');
    expect(slug('Café — Überblick')).toBe('cafe-uberblick');
    expect(slug('ＡＢＣ １２')).toBe('abc-12');
    expect(slug('---')).toBe('');
  });

  it('ASCII text (the fast path) and any text slug as the definition says', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary-ascii', maxLength: 80 }), (text) => slug(text) === definition(text)), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => slug(text) === definition(text)), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', 'Z', '9', ' ', '-', '_', 'é', 'ﬁ', '\u0301', 'İ', '\x7f', '\x80'), maxLength: 30 }), (text) => slug(text) === definition(text)), { numRuns: 2000 });
  });
});
