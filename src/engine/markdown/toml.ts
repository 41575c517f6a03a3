/**
 * The TOML that frontmatter (`+++` … `+++`, Hugo's and Runme's form) holds: `key = value`
 * with basic and literal strings, integers, floats, booleans, one-line arrays and inline
 * tables, dotted keys, `[table]` headers and comments. Dates stay strings. What it cannot
 * read is one problem naming the line, never a guess.
 */

export type TomlValue = string | number | boolean | TomlValue[] | { [key: string]: TomlValue };
type Table = { [key: string]: TomlValue };

export class TomlError extends Error {
  constructor(message: string, readonly line: number) {
    super(`${message} (line ${line} of the frontmatter)`);
  }
}

export function parseToml(text: string): Table {
  const root: Table = {};
  let table = root;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = index + 1;
    const reader = new Reader(raw, line);
    reader.space();
    if (reader.done()) continue;
    if (reader.peek() === '[') {
      reader.next();
      const path = reader.keyPath();
      reader.expect(']');
      reader.end();
      table = descend(root, path, line);
      continue;
    }
    const path = reader.keyPath();
    reader.expect('=');
    const value = reader.value();
    reader.end();
    assign(table, path, value, line);
  }
  return root;
}

function descend(root: Table, path: string[], line: number): Table {
  let table = root;
  for (const key of path) {
    const next = table[key] ?? (table[key] = {});
    if (typeof next !== 'object' || Array.isArray(next)) throw new TomlError(`${path.join('.')} is not a table`, line);
    table = next;
  }
  return table;
}

function assign(table: Table, path: string[], value: TomlValue, line: number): void {
  const target = descend(table, path.slice(0, -1), line);
  const key = path.at(-1)!;
  if (Object.hasOwn(target, key)) throw new TomlError(`${path.join('.')} is defined twice`, line);
  target[key] = value;
}

class Reader {
  private at = 0;
  constructor(private readonly text: string, private readonly line: number) {}

  done(): boolean {
    return this.at >= this.text.length || this.text[this.at] === '#';
  }
  peek(): string | undefined {
    return this.text[this.at];
  }
  next(): string {
    return this.text[this.at++] ?? '';
  }
  space(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === '\r') this.at += 1;
  }
  fail(what: string): never {
    throw new TomlError(`expected ${what} at "${this.text.slice(this.at, this.at + 20)}"`, this.line);
  }
  expect(char: string): void {
    this.space();
    if (this.next() !== char) {
      this.at -= 1;
      this.fail(`"${char}"`);
    }
    this.space();
  }
  end(): void {
    this.space();
    if (!this.done()) this.fail('the end of the line');
  }

  keyPath(): string[] {
    const path = [this.key()];
    for (this.space(); this.peek() === '.'; this.space()) {
      this.next();
      this.space();
      path.push(this.key());
    }
    return path;
  }

  private key(): string {
    const quote = this.peek();
    if (quote === '"' || quote === "'") return this.string();
    const match = /^[A-Za-z0-9_-]+/.exec(this.text.slice(this.at));
    if (!match) this.fail('a key');
    this.at += match[0].length;
    return match[0];
  }

  value(): TomlValue {
    this.space();
    const char = this.peek();
    if (char === '"' || char === "'") return this.string();
    if (char === '[') return this.array();
    if (char === '{') return this.inlineTable();
    const match = /^[^\s,\]}#]+/.exec(this.text.slice(this.at));
    if (!match) this.fail('a value');
    this.at += match[0].length;
    const word = match[0];
    if (word === 'true' || word === 'false') return word === 'true';
    const number = word.replace(/_/g, '');
    if (/^[+-]?(?:\d+|0x[0-9a-f]+|0o[0-7]+|0b[01]+)$/i.test(number)) return Number(number.replace(/^\+/, ''));
    if (/^[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i.test(number)) return Number(number);
    if (/^\d{4}-\d{2}-\d{2}/.test(word)) return this.dateRest(word);
    this.at -= word.length;
    return this.fail('a string, number, boolean, array or table');
  }

  /** `1979-05-27 07:32:00Z`: a date may have its time after one space. */
  private dateRest(word: string): string {
    const time = /^ \d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?/i.exec(this.text.slice(this.at));
    if (!time) return word;
    this.at += time[0].length;
    return word + time[0];
  }

  private string(): string {
    const quote = this.next();
    let out = '';
    while (this.at < this.text.length) {
      const char = this.next();
      if (char === quote) return out;
      if (quote === '"' && char === '\\') out += this.escape();
      else out += char;
    }
    throw new TomlError('a string is not closed on its line', this.line);
  }

  private escape(): string {
    const char = this.next();
    const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };
    if (Object.hasOwn(simple, char)) return simple[char]!;
    const width = char === 'u' ? 4 : char === 'U' ? 8 : 0;
    const hex = this.text.slice(this.at, this.at + width);
    if (width === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) throw new TomlError(`unknown escape \\${char}`, this.line);
    this.at += width;
    return String.fromCodePoint(parseInt(hex, 16));
  }

  private array(): TomlValue[] {
    this.next();
    const items: TomlValue[] = [];
    for (;;) {
      this.space();
      if (this.peek() === ']') break;
      items.push(this.value());
      this.space();
      if (this.peek() === ',') this.next();
      else if (this.peek() !== ']') this.fail('"," or "]"');
    }
    this.next();
    return items;
  }

  private inlineTable(): Table {
    this.next();
    const table: Table = {};
    this.space();
    while (this.peek() !== '}') {
      const path = this.keyPath();
      this.expect('=');
      assign(table, path, this.value(), this.line);
      this.space();
      if (this.peek() === ',') this.next();
      else if (this.peek() !== '}') this.fail('"," or "}"');
      this.space();
    }
    this.next();
    return table;
  }
}
