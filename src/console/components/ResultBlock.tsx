import { Box, Text } from 'ink';
import type { ResultLine } from '../menu.js';
import { toneColor } from '../theme.js';

/** The outcome lines of the last action (✅ / ❌ / ⚠️ ...), in the reference's colours. */
export function ResultBlock({ lines }: { lines: readonly ResultLine[] }) {
  if (lines.length === 0) return null;
  return (
    <Box flexDirection="column" marginBottom={1}>
      {lines.map((l, i) => (
        <Text key={i} color={toneColor(l.tone)} bold={l.tone === 'heading'} wrap="truncate-end">
          {l.text}
        </Text>
      ))}
    </Box>
  );
}

export const ok = (text: string): ResultLine => ({ tone: 'success', text: `✅ ${text}` });
export const fail = (text: string): ResultLine => ({ tone: 'error', text: `❌ ${text}` });
export const warn = (text: string): ResultLine => ({ tone: 'warning', text: `⚠️  ${text}` });
export const info = (text: string): ResultLine => ({ tone: 'info', text });
export const plain = (text: string): ResultLine => ({ tone: 'plain', text });
