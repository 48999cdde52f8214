/** A progress bar on stderr for long transfers: drawn only on a terminal, at most ten times a second. */
export interface Progress {
  update(done: number): void;
  /** Clears the bar (the caller prints its own summary). */
  done(): void;
}

export function createProgress(label: string, total: number, enabled = process.stderr.isTTY === true): Progress {
  let last = 0;
  let drawn = false;
  const draw = (done: number) => {
    const width = 30;
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(frac * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    process.stderr.write(
      `\r${label} ${bar} ${String(Math.floor(frac * 100)).padStart(3)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')}`,
    );
    drawn = true;
  };
  return {
    update(done) {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      draw(done);
    },
    done() {
      if (drawn) process.stderr.write('\r\x1b[2K');
    },
  };
}
