import chalk from 'chalk';
import { useEffect, useState } from 'react';

/**
 * Ink colours through chalk's shared instance, whose depth chalk chose from the terminal, FORCE_COLOR and
 * `--no-color` when it loaded — not from NO_COLOR. When the configuration says no colour (NO_COLOR, `--no-color`,
 * FORCE_COLOR=0), the console turns it off before its first frame, and back as it was when it unmounts.
 */
export function useColorChoice(color: boolean): void {
  const [before] = useState(() => {
    const level = chalk.level;
    if (!color) chalk.level = 0;
    return level;
  });
  useEffect(() => {
    chalk.level = color ? before : 0;
    return () => {
      chalk.level = before;
    };
  }, [color, before]);
}
