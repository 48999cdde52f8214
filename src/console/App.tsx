import { Box, Text, useApp } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import { KeyRouter, KeyRouterProvider, useKeyRouter } from './input/KeyRouter.js';
import { ActivityPane } from './components/ActivityPane.js';
import { Banner } from './components/Banner.js';
import { ErrorBoundary } from './components/ErrorBoundary.js';
import { LogPane } from './components/LogPane.js';
import { Menu } from './components/Menu.js';
import { ResultBlock } from './components/ResultBlock.js';
import { ConsoleProvider, useServices } from './contexts/ConsoleContext.js';
import { useColorChoice } from './hooks/useColorChoice.js';
import { useTerminalSize } from './hooks/useTerminalSize.js';
import { MENU_ITEMS, type MenuItem, type ResultLine, type Route } from './menu.js';
import { renderRoute } from './screens/index.js';
import type { ConsoleServices } from './services.js';
import { theme } from './theme.js';
import { startUserTimingJanitor } from './userTiming.js';

/** What the console takes from the command line: colour on or off. */
export interface ConsoleDisplay {
  color: boolean;
}

export interface AppProps {
  services: ConsoleServices;
  config: ConsoleDisplay;
  /** Set when the final frame already shows the shutdown lines, so startConsole does not print them twice. */
  exitState?: { shutdownShown: boolean };
}

/** The console: providers around the shell. */
export function App({ services, config, exitState }: AppProps) {
  useEffect(() => startUserTimingJanitor(), []);
  useColorChoice(config.color);
  const [router] = useState(() => new KeyRouter());
  return (
    <ConsoleProvider services={services}>
      <KeyRouterProvider router={router}>
        <Shell exitState={exitState} />
      </KeyRouterProvider>
    </ConsoleProvider>
  );
}

/** Rows of the menu screen without the activity pane (banner, menu, prompt, log pane). */
const MENU_ROWS = 36;

/** Routes between the menu and the screens, interprets menu results, and runs the clean exit. */
function Shell({ exitState }: { exitState?: { shutdownShown: boolean } }) {
  const services = useServices();
  const { exit } = useApp();
  const { rows } = useTerminalSize();
  const [route, setRoute] = useState<Route>({ screen: 'menu' });
  const [result, setResult] = useState<ResultLine[]>([]);
  const [menuIndex, setMenuIndex] = useState(0);
  const [exiting, setExiting] = useState<string[] | undefined>();
  const quitting = useRef(false);
  const keys = useKeyRouter();

  // Every screen change holds the keys typed meanwhile for the next screen (type-ahead).
  const done = useCallback(
    (lines: ResultLine[] = []) => {
      keys.hold();
      setResult(lines);
      setRoute({ screen: 'menu' });
    },
    [keys],
  );
  const navigate = useCallback(
    (r: Route) => {
      keys.hold();
      setRoute(r);
    },
    [keys],
  );
  const quit = useCallback(() => {
    if (quitting.current) return;
    quitting.current = true;
    setExiting(['👋 Shutting down ExESDB Interactive Console...']);
    void services.shutdown().then((lines) => {
      setExiting(lines);
      if (exitState) exitState.shutdownShown = true;
      // Let the final frame (the shutdown lines) render before Ink unmounts and leaves it on the terminal.
      setTimeout(() => exit(), 50);
    });
  }, [services, exit, exitState]);

  const select = useCallback(
    (item: MenuItem) => {
      setMenuIndex(MENU_ITEMS.indexOf(item));
      const r = item.action();
      if (r.type === 'quit') quit();
      else {
        keys.hold();
        setResult([]);
        setRoute(r.route);
      }
    },
    [quit, keys],
  );

  // Heard after every screen: Ctrl-C quits unless a screen took it (a live view leaves on the first one).
  keys.fallback = (input, key) => {
    if (key.ctrl && input === 'c') quit();
  };

  if (exiting) {
    return (
      <Box flexDirection="column">
        {exiting.map((l, i) => (
          <Text
            key={i}
            color={
              l.startsWith('✅')
                ? theme.status.success
                : l.startsWith('🛑')
                  ? theme.status.warning
                  : theme.section.danger
            }
          >
            {l}
          </Text>
        ))}
      </Box>
    );
  }

  const compact = rows < 30;
  const activityRows = Math.min(6, rows - MENU_ROWS - (result.length ? result.length + 1 : 0));
  return (
    <Box flexDirection="column">
      <Banner />
      <ErrorBoundary onQuit={quit}>
        {route.screen === 'menu' ? (
          <Box flexDirection="column">
            <ResultBlock lines={result} />
            <Menu
              items={MENU_ITEMS}
              onSelect={select}
              onQuit={quit}
              onCommand={() => navigate({ screen: 'command' })}
              onLogs={() => navigate({ screen: 'logs' })}
              compact={compact}
              initialIndex={menuIndex}
            />
            <ActivityPane feed={services.activity} height={activityRows} />
          </Box>
        ) : (
          renderRoute(route, { done, navigate, quit })
        )}
      </ErrorBoundary>
      <LogPane logs={services.logs} height={compact ? 1 : 3} />
    </Box>
  );
}
