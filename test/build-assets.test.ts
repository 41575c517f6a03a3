/**
 * Files tsc does not emit (host.ps1) and data files (builtin-functions.json) are read
 * beside their module, so the built CLI needs them in dist/ and beside the chunks of its
 * bundle too: the build (run once by global-setup) copies them, and a module whose file is missing says which and what to do.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

function assetsUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !/\.tsx?$/.test(entry.name))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('build assets', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'runbook-assets-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('dist/ holds every non-TypeScript file of src/: the same text (JSON: the same value, tsc re-emits it)', () => {
    const assets = assetsUnder('src');
    expect(assets).toEqual(expect.arrayContaining([join('engine', 'lang', 'powershell', 'host.ps1'), join('engine', 'lang', 'powershell', 'prompt-host.cs'), join('engine', 'lang', 'powershell', 'host-tools.cs'), join('engine', 'lang', 'sql', 'builtin-functions.json')]));
    for (const asset of assets) {
      const [built, source] = [readFileSync(join('dist', asset), 'utf8'), readFileSync(join('src', asset), 'utf8')];
      if (asset.endsWith('.json')) expect(JSON.parse(built), asset).toEqual(JSON.parse(source));
      else expect(built === source, `${asset} differs between src/ and dist/`).toBe(true);
    }
  });

  it("the CLI's bundle (dist/bundle/, what bin/runbook.js loads) holds the same files beside its chunks", () => {
    for (const asset of assetsUnder('src')) {
      const [built, source] = [readFileSync(join('dist', 'bundle', basename(asset)), 'utf8'), readFileSync(join('src', asset), 'utf8')];
      expect(built === source, `${asset} differs between src/ and dist/bundle/`).toBe(true);
    }
  });

  it('the built PowerShell loader names its missing host script and the command that restores it', async () => {
    // Without its source-map comment: the map would point at sources that are not beside the copy.
    const built = readFileSync(join('dist', 'engine', 'lang', 'powershell', 'host-script.js'), 'utf8');
    // Its own imports still from dist/ (only the files it reads beside itself are missing here).
    const imports = (text: string) => text.replace(/from '(\.\.?\/[^']+)'/g, (_, path: string) => `from '${pathToFileURL(join(process.cwd(), 'dist', 'engine', 'lang', 'powershell', path)).href}'`);
    writeFileSync(join(scratch, 'pwsh-host-script.js'), imports(built.replace(/^\/\/# sourceMappingURL=.*$/m, '')));
    const { pwshHostFiles } = (await import(pathToFileURL(join(scratch, 'pwsh-host-script.js')).href)) as { pwshHostFiles: () => unknown };
    expect(() => pwshHostFiles()).toThrow(`the PowerShell host file ${join(scratch, 'host.ps1')} cannot be read (ENOENT); rebuild with \`npm run build\``);
  });

  it('the built PowerShell loader reads the host script and the host’s C# beside it', async () => {
    const { pwshHostFiles } = (await import(pathToFileURL(join('dist', 'engine', 'lang', 'powershell', 'host-script.js')).href)) as { pwshHostFiles: () => Record<string, string> };
    for (const name of ['host.ps1', 'prompt-host.cs', 'host-tools.cs']) expect(pwshHostFiles()[name], name).toBe(readFileSync(join('src', 'engine', 'lang', 'powershell', name), 'utf8'));
    expect(pwshHostFiles()['host.ps1']).toContain('param([string]$Sentinel');
  });
});
