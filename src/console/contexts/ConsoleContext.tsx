import { createContext, useContext, type ReactNode } from 'react';
import type { Config } from '../../cli/config.js';
import type { ConsoleServices } from '../services.js';

interface ConsoleContextValue {
  services: ConsoleServices;
  config: Config;
}

const ConsoleContext = createContext<ConsoleContextValue | undefined>(undefined);

export function ConsoleProvider({ services, config, children }: ConsoleContextValue & { children: ReactNode }) {
  return <ConsoleContext.Provider value={{ services, config }}>{children}</ConsoleContext.Provider>;
}

/** The console's services (gater, observers, producers, subscriptions). Throws outside a ConsoleProvider. */
export function useServices(): ConsoleServices {
  const ctx = useContext(ConsoleContext);
  if (!ctx) throw new Error('useServices must be used inside <ConsoleProvider>');
  return ctx.services;
}

/** The resolved command-line configuration. Throws outside a ConsoleProvider. */
export function useConfig(): Config {
  const ctx = useContext(ConsoleContext);
  if (!ctx) throw new Error('useConfig must be used inside <ConsoleProvider>');
  return ctx.config;
}
