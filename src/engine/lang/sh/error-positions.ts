/**
 * A shell's own error positions, pointed at the runbook: bash's `/dev/shm/…/3-cell.sh: line
 * 2: foo: command not found` (dash's `…/run.sh: 2: …/3-cell.sh: foo: not found`) becomes
 * `runbooks/dragonfly.md:45: foo: command not found`, and a bound value's reference
 * (`${RUNBOOK_VAR_GOOD_SHA}`) reads as the placeholder written there (`<GOOD_SHA>`), so an
 * error never names a temporary file or the tool's own variables.
 */
export function errorsAtRunbook(write: (text: string) => void, cellFile: string, wrapperFile: string, document: string, firstLine: number): (text: string) => void {
  const file = escapeRegExp(cellFile);
  const position = new RegExp(`(?:${escapeRegExp(wrapperFile)}: (\\d+): ${file}:|${file}:(?: line)? (\\d+):)`, 'g');
  return (text) => {
    if (!text.includes(cellFile) && !text.includes('RUNBOOK_VAR_')) return write(text);
    write(
      text
        .replace(position, (_, dash: string | undefined, bash: string | undefined) => `${document}:${firstLine + Number(dash ?? bash) - 1}:`)
        .split(cellFile).join(document)
        .replace(/\$\{RUNBOOK_VAR_([^}]+)\}/g, '<$1>')
        .replace(/\$RUNBOOK_VAR_(\w+)/g, '<$1>'),
    );
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
