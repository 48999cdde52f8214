/**
 * Where scripted output goes: `--json` writes one JSON object per line to stdout; human text goes to stdout
 * without --json; logs and progress always go to stderr.
 */
export interface Output {
  readonly json: boolean;
  /** A result object: printed as one JSON line with --json, else rendered by `human`. */
  result(obj: Record<string, unknown>, human: () => string): void;
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
    line(text) {
      if (!json) write(`${text}\n`);
    },
    note(text) {
      process.stderr.write(`${text}\n`);
    },
  };
}
