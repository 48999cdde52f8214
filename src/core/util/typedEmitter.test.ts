import { describe, expect, it, vi } from 'vitest';
import type { LogLevel } from '../log.js';
import { TypedEmitter, logListenerErrors } from './typedEmitter.js';

type Ev = { type: 'a'; n: number } | { type: 'b' };

describe('TypedEmitter', () => {
  it('a listener that throws is logged with the emitter name and event type; the others still get the event', () => {
    const lines: [LogLevel, string][] = [];
    const em = new TypedEmitter<Ev>(logListenerErrors((level, msg) => lines.push([level, msg]), 'Test'));
    const got: string[] = [];
    em.subscribe(() => {
      throw new Error('boom');
    });
    em.on('a', (e) => got.push(`a${e.n}`));
    em.subscribe((e) => got.push(`any:${e.type}`));
    em.emit({ type: 'a', n: 1 });
    em.emit({ type: 'b' });
    expect(got).toEqual(['a1', 'any:a', 'any:b']);
    expect(lines).toEqual([
      ['error', '[Test] a listener of "a" threw: boom'],
      ['error', '[Test] a listener of "b" threw: boom'],
    ]);
  });

  it('without a log a throwing listener becomes a process warning, not silence', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const em = new TypedEmitter<Ev>('Quiet');
      em.on('b', () => {
        throw new Error('nope');
      });
      em.emit({ type: 'b' });
      expect(warn).toHaveBeenCalledWith('[Quiet] a listener of "b" threw: nope');
    } finally {
      warn.mockRestore();
    }
  });

  it('unsubscribing during delivery does not skip a neighbour; clear() drops everyone', () => {
    const em = new TypedEmitter<Ev>();
    const got: number[] = [];
    const off = em.subscribe(() => {
      got.push(1);
      off();
    });
    em.subscribe(() => got.push(2));
    em.emit({ type: 'b' });
    em.emit({ type: 'b' });
    expect(got).toEqual([1, 2, 2]);
    em.clear();
    em.emit({ type: 'b' });
    expect(got).toEqual([1, 2, 2]);
    expect(em.listenerCount).toBe(0);
  });
});
