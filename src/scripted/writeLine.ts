/**
 * Writes one line and resolves once the stream has handed it to the OS (its write callback): only then can a
 * reader see it, so a subscriber acks what actually left this process, never what still sits in Node's buffer.
 * Rejects with the write error (EPIPE when the reader went away, e.g. `| head -n 3`).
 */
export function writeLine(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(`${text}\n`, (err?: Error | null) => (err ? reject(err) : resolve()));
  });
}

/** Whether `e` says the reader of our output went away (a closed pipe). */
export function isReaderGone(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}
