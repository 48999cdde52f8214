import { createContext, useContext, type ReactNode } from 'react';
import type { ConsoleServices } from '../services.js';

interface ConsoleContextValue {
  services: ConsoleServices;
}

const ConsoleContext = createContext<ConsoleContextValue | undefined>(undefined);

export function ConsoleProvider({ services, children }: ConsoleContextValue & { children: ReactNode }) {
  return <ConsoleContext.Provider value={{ services }}>{children}</ConsoleContext.Provider>;
}

/** The console's services (gater, observers, producers, subscriptions). Throws outside a ConsoleProvider. */
export function useServices(): ConsoleServices {
  const ctx = useContext(ConsoleContext);
  if (!ctx) throw new Error('useServices must be used inside <ConsoleProvider>');
  return ctx.services;
}
