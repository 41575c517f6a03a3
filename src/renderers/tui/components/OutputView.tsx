/** Screen lines with their tone: stderr, notices, tables, errors told apart (by prefix too, for NO_COLOR). */
import { Text } from 'ink';
import type { LineTone, ScreenLine } from '../lines.js';
import { tone } from '../theme.js';

const TONES: Record<LineTone, { color?: string; bold?: boolean; dim?: boolean }> = {
  stdout: {},
  stderr: { color: 'yellow' },
  notice: { color: 'cyan' },
  title: { bold: true },
  table: {},
  meta: { dim: true },
  error: { color: 'red', bold: true },
  hint: { color: 'yellow' },
};

export function OutputView({ lines, wrap = false }: { lines: ScreenLine[]; wrap?: boolean }) {
  return (
    <>
      {lines.map((line, i) => {
        const style = TONES[line.tone];
        // Tables never wrap: a wrapped row is unreadable; it is cut at the edge instead.
        const mode = wrap && line.tone !== 'table' ? 'wrap' : 'truncate-end';
        return (
          <Text key={i} wrap={mode} color={style.color ? tone(style.color) : undefined} bold={style.bold} dimColor={style.dim}>
            {line.text || ' '}
          </Text>
        );
      })}
    </>
  );
}
