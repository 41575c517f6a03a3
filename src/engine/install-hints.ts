/**
 * Where to get an interpreter the machine lacks, in one line. Preflight appends it once per
 * missing program (not once per cell), so a run that skips five PowerShell cells says once
 * how to stop skipping them.
 */
const HINTS: Readonly<Record<string, string>> = {
  pwsh: 'get PowerShell 7 with `dotnet tool install --global PowerShell --version 7.6.9` and ~/.dotnet/tools on PATH, your package manager, or https://github.com/PowerShell/PowerShell/releases',
  zsh: 'install zsh with your package manager',
  fish: 'install fish with your package manager',
};

export function installHint(program: string): string | undefined {
  const name = program.split('/').pop() ?? program;
  return HINTS[name];
}
