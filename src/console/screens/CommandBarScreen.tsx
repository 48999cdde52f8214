import { Box, Text } from 'ink';
import { useState } from 'react';
import { COMMAND_HELP, runCommand } from '../commandBar.js';
import { Heading } from '../components/Notice.js';
import { TextField } from '../components/TextField.js';
import { useServices } from '../contexts/ConsoleContext.js';
import { useInputReady } from '../hooks/useInputReady.js';
import { useKeys } from '../input/KeyRouter.js';
import { theme } from '../theme.js';
import type { ScreenProps } from './types.js';

/**
 * `:` from the menu: one command in the scripted syntax. A command that opens a live view goes there; the others
 * go back to the menu with their result lines. Esc cancels.
 */
export function CommandBarScreen({ done, navigate }: ScreenProps) {
  const services = useServices();
  const [text, setText] = useState('');
  const [running, setRunning] = useState<string | undefined>();
  const ready = useInputReady();
  useKeys((_input, key) => {
    if (key.escape && running === undefined) done();
  });
  const submit = (line: string) => {
    if (running !== undefined) return;
    setRunning(line);
    void runCommand(line, services).then((r) => (r.route ? navigate(r.route) : done(r.lines)));
  };
  return (
    <Box flexDirection="column">
      <Heading color={theme.section.title}>⌨️ Command (the scripted commands' syntax)</Heading>
      {COMMAND_HELP.map((h) => (
        <Text key={h} color={theme.status.muted}>
          {`  :${h}`}
        </Text>
      ))}
      {running === undefined ? (
        <TextField prompt="❯ :" value={text} onChange={setText} onSubmit={submit} />
      ) : (
        <Text color={theme.status.info}>⏳ ❯ :{running}</Text>
      )}
      {ready && <Text color={theme.status.muted}>Enter run · Esc cancel</Text>}
    </Box>
  );
}
