import type { ResultLine, Route } from '../menu.js';

/** What every screen gets from the shell: go back with result lines, go elsewhere, or quit. */
export interface ScreenProps {
  done: (lines?: ResultLine[]) => void;
  navigate: (route: Route) => void;
  quit: () => void;
}
