/**
 * Where scripted output goes: `--json` writes one JSON object per line to stdout; human text goes to stdout
 * without --json; logs and progress always go to stderr.
 */
export interface Output {
  readonly json: boolean;
  /** A result object: printed as one JSON line with --json, else rendered by `human`. */
  result(obj: Record<string, unknown>, human: () => string): void;
  /**
   * A list result: one JSON line with --json; else the rendered rows on stdout or, when there are none, `emptyNote`
   * on stderr, so `x streams | xargs` never sees a note as a name.
   */
  listResult(obj: Record<string, unknown>, count: number, human: () => string, emptyNote: string): void;
  /** A human line to stdout (ignored with --json). */
  line(text: string): void;
  /** Progress / notes to stderr. */
  note(text: string): void;
}

export function createOutput(json: boolean, write: (s: string) => void = (s) => process.stdout.write(s)): Output {
  return {
    json,
    result(obj, human) {
      write(json ? `${JSON.stringify(obj)}\n` : `${human()}\n`);
    },
    listResult(obj, count, human, emptyNote) {
      if (json || count > 0) this.result(obj, human);
      else this.note(emptyNote);
    },
    line(text) {
      if (!json) write(`${text}\n`);
    },
    note(text) {
      process.stderr.write(`${text}\n`);
    },
  };
}
