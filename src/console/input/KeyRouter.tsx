import { useInput, type Key } from 'ink';
import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';
import { splitKeyEvents, type KeyEvent } from './keyEvents.js';

/** A screen's key handler; returning `true` stops the key there (an overlay over its screen, Ctrl-C in a view). */
export type KeyHandler = (input: string, key: Key) => boolean | void;

/** Longest a held key waits for the next screen before it goes to whatever listens then. */
const HOLD_MAX_MS = 1000;

/**
 * Every key the console receives passes here (one Ink input hook for the whole app), so none is lost between
 * screens: when the shell changes screen it holds the keys that follow, and hands them to the next screen once
 * that screen's handlers are attached. A burst such as `8⏎greenhouse1⏎` fills the form option 8 opens.
 * Handlers get keys newest first (a child's before its parent's); all of them get each key unless one returns
 * true.
 */
export class KeyRouter {
  private readonly handlers: { handler: KeyHandler }[] = [];
  private queue: KeyEvent[] = [];
  private holding = false;
  /** Screens waiting on the gateway (loading, working): keys wait with them, however long that takes. */
  private waits = 0;
  private releaseScheduled = false;
  private holdTimer: NodeJS.Timeout | undefined;
  /** Hears every key no handler stopped, after all of them (the shell's Ctrl-C). */
  fallback: KeyHandler | undefined;

  /** Queues keys until the next screen attaches its handlers (call before changing screen). */
  hold(): void {
    this.holding = true;
    this.releaseScheduled = false;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => this.release(), HOLD_MAX_MS);
    this.holdTimer.unref?.();
  }

  /**
   * Holds keys until the returned function is called, without the hold's time limit: for a screen that cannot
   * take keys until the gateway answers (its data loading, its action running). Over a BEAM link an answer takes
   * from milliseconds to seconds; keys typed meanwhile are for what comes next. Ctrl-C still goes through.
   */
  wait(): () => void {
    this.waits++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.waits--;
      // After the commit that ended it: a screen change in the same pass holds the keys for the next screen.
      if (this.waits === 0) queueMicrotask(() => this.flush());
    };
  }

  register(handler: KeyHandler): () => void {
    const entry = { handler };
    this.handlers.push(entry);
    // A screen's handlers attach in one pass of effects; the held keys go once the pass is over.
    if (this.holding && !this.releaseScheduled) {
      this.releaseScheduled = true;
      queueMicrotask(() => this.release());
    }
    return () => {
      const i = this.handlers.indexOf(entry);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  /** A key as Ink parsed it (possibly a burst). */
  receive(input: string, key: Key): void {
    for (const e of splitKeyEvents(input, key)) this.dispatch(e);
  }

  private get blocked(): boolean {
    return this.holding || this.waits > 0;
  }

  private dispatch(e: KeyEvent): void {
    const interrupt = e.key.ctrl && e.input === 'c' && !this.holding;
    if (this.blocked && !interrupt) {
      this.queue.push(e);
      return;
    }
    for (const { handler } of [...this.handlers].reverse()) {
      if (handler(e.input, e.key) === true) return;
      if (this.blocked && !interrupt) return; // this key changed screen: the rest waits for the next one
    }
    this.fallback?.(e.input, e.key);
  }

  private release(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.holding = false;
    this.releaseScheduled = false;
    this.flush();
  }

  /** Hands the queued keys over, in order, until one of them changes screen or starts a wait again. */
  private flush(): void {
    if (this.blocked) return;
    const queued = this.queue;
    this.queue = [];
    for (let i = 0; i < queued.length; i++) {
      this.dispatch(queued[i]!);
      if (this.blocked) {
        // another screen change: keep the rest, in order, for the screen after
        this.queue = [...queued.slice(i + 1), ...this.queue];
        return;
      }
    }
  }
}

const RouterContext = createContext<KeyRouter | undefined>(undefined);

/** The console's one input hook, feeding the router its children use through `useKeys`. */
export function KeyRouterProvider({ router, children }: { router: KeyRouter; children: ReactNode }) {
  useInput((input, key) => router.receive(input, key));
  return <RouterContext.Provider value={router}>{children}</RouterContext.Provider>;
}

export function useKeyRouter(): KeyRouter {
  const router = useContext(RouterContext);
  if (!router) throw new Error('useKeys must be used inside <KeyRouterProvider>');
  return router;
}

/** Holds the keys typed while `waiting` (a screen loading from the gateway, a form running its action). */
export function useKeyWait(waiting: boolean): void {
  const router = useKeyRouter();
  useEffect(() => (waiting ? router.wait() : undefined), [router, waiting]);
}

/**
 * Ink's `useInput`, through the router: the latest `handler` is called (a new closure each render does not
 * re-attach, so held keys are not released early); `isActive: false` detaches it.
 */
export function useKeys(handler: KeyHandler, options: { isActive?: boolean } = {}): void {
  const router = useKeyRouter();
  const latest = useRef(handler);
  latest.current = handler;
  const active = options.isActive ?? true;
  useEffect(() => {
    if (!active) return;
    return router.register((input, key) => latest.current(input, key));
  }, [router, active]);
}
