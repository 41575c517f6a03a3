/**
 * An interactive cell's terminal recorded by script(1) (util-linux), so what the operator saw
 * is also the cell's output in the transcript. Where script(1) is missing (macOS's takes other
 * flags; Windows has none) the cell still gets the terminal, but its output is not recorded:
 * the caller says so in the record.
 */
import { onPath } from './which.js';

/** The command that runs `command` (one shell word string) under script(1) writing `logFile`, or undefined without it. */
export function recordedTerminalCommand(command: string, logFile: string, path: string): [string, string[]] | undefined {
  if (!onPath('script', path)) return undefined;
  return ['script', ['--quiet', '--return', '--command', command, logFile]];
}

/** What script(1) wrote, without its own framing lines and with the terminal's CR LF as plain line ends. */
export function recordedTerminalText(log: string): string {
  return log
    .replace(/\r\n/g, '\n')
    .replace(/^Script started on [^\n]*\n/, '')
    .replace(/\n?Script done on [^\n]*\n?$/, '');
}
