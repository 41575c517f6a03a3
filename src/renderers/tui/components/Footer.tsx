/** The bottom lines: an open prompt, a short message, or the keys that make sense right now. */
import { Box, Text } from 'ink';
import type { FooterLine, FooterTone } from '../footer-lines.js';
import { tone } from '../theme.js';

const STYLE: Record<FooterTone, { color?: string; bold?: boolean; dim?: boolean }> = {
  label: { color: 'cyan', bold: true },
  detail: { dim: true },
  error: { color: 'red', bold: true },
  input: {},
  keys: { dim: true },
  flash: { color: 'yellow' },
  summary: { bold: true },
};

export function Footer({ lines, width }: { lines: FooterLine[]; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((line, i) => {
        const style = STYLE[line.tone];
        return (
          <Text key={i} wrap="truncate-end" color={style.color ? tone(style.color) : undefined} bold={style.bold} dimColor={style.dim}>
            {line.text || ' '}
            {line.tone === 'input' ? <Text inverse> </Text> : null}
          </Text>
        );
      })}
    </Box>
  );
}
