/**
 * Typed gateway errors. The codes are a wire contract (they cross the TCP transport and appear in `--json`
 * output): append-only, never rename one.
 */
export const ERROR_CODES = [
  'no_workers',
  'timeout',
  'wrong_expected_version',
  'invalid_start_version',
  'invalid_count',
  'invalid_argument',
  'not_found',
  'store_not_found',
  'unauthorized',
  'connection_closed',
  'payload_too_large',
  'internal',
  'duplicate_event',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface WireError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** An error any GaterApi call may raise. Branch on `code`, never on the message. */
export class GaterError extends Error {
  override readonly name = 'GaterError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  /** For `wrong_expected_version`: what the caller expected. */
  get expected(): unknown {
    return this.details.expected;
  }

  /** For `wrong_expected_version`: the stream's version when the append was refused. */
  get current(): number | undefined {
    const c = this.details.current;
    return typeof c === 'number' ? c : undefined;
  }

  toWire(): WireError {
    return { code: this.code, message: this.message, details: this.details };
  }

  toJSON(): WireError {
    return this.toWire();
  }

  static fromWire(w: unknown): GaterError {
    if (w && typeof w === 'object' && typeof (w as WireError).code === 'string') {
      const { code, message, details } = w as WireError;
      const known = (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'internal';
      return new GaterError(known, String(message ?? code), details && typeof details === 'object' ? details : {});
    }
    return new GaterError('internal', 'malformed error from peer');
  }
}

/** Structural guard: survives errors rebuilt from the wire and duplicate module copies. */
export function isGaterError(e: unknown, code?: ErrorCode): e is GaterError {
  if (!e || typeof e !== 'object') return false;
  const c = (e as { code?: unknown }).code;
  if ((e as { name?: unknown }).name !== 'GaterError' || typeof c !== 'string') return false;
  return code === undefined || c === code;
}

/** Wraps anything thrown into a GaterError (unknown failures become `internal`). */
export function toGaterError(e: unknown): GaterError {
  if (e instanceof GaterError) return e;
  if (isGaterError(e)) return GaterError.fromWire(e);
  const msg = e instanceof Error ? e.message : String(e);
  return new GaterError('internal', `internal error: ${msg}`, {}, { cause: e });
}

export const invalidArgument = (message: string, details: Record<string, unknown> = {}): GaterError =>
  new GaterError('invalid_argument', message, details);
