/**
 * Calls on a connected BEAM node without loading code there: `rpc` through the node's `rex` server (the
 * `{From, {call, M, F, A, user}}` form `rex` keeps for hidden C nodes) and `'$gen_call'` to a process.
 */
import { GaterError } from '../errors.js';
import { Atom, Tuple, atom, termEquals, tuple, type Pid, type Term } from '../wire/etf.js';
import type { DistConnection, MailboxSignal } from './distConnection.js';
import { termText } from './termText.js';

/**
 * `rpc:call(Node, M, F, A)` from a hidden node: resolves with the call's result as is (a `{badrpc, R}` tuple
 * included, which the caller interprets). Each call gets its own pid: `rex` answers carry no correlation id.
 * @throws GaterError `timeout` after timeoutMs (the remote call may still run), `connection_closed`.
 */
export function rpcCall(
  conn: DistConnection,
  mod: string,
  fun: string,
  args: Term[],
  timeoutMs: number,
): Promise<Term> {
  return awaitReply(conn, timeoutMs, `${mod}:${fun}/${args.length}`, (self, signal) => {
    if (signal === undefined) {
      conn.regSend(self, 'rex', tuple(self, tuple(atom('call'), atom(mod), atom(fun), args, atom('user'))));
      return undefined;
    }
    if (signal.kind !== 'message') return undefined;
    const m = signal.msg;
    if (m instanceof Tuple && m.elements.length === 2 && m.elements[0] instanceof Atom && m.elements[0].name === 'rex')
      return { value: m.elements[1]! };
    return undefined;
  });
}

/**
 * `gen_server:call(Pid, Request)`: `{'$gen_call', {Self, Ref}, Request}`, reply `{Ref, Reply}`. The target is
 * monitored, so its death during the call rejects with `connection_closed` instead of waiting for the timeout.
 */
export function genCall(conn: DistConnection, target: Pid, request: Term, timeoutMs: number): Promise<Term> {
  const ref = conn.newRef();
  return awaitReply(conn, timeoutMs, `call to ${target.toString()}`, (self, signal) => {
    if (signal === undefined) {
      conn.monitor(self, target, ref);
      conn.send(target, tuple(atom('$gen_call'), tuple(self, ref), request));
      return undefined;
    }
    if (signal.kind === 'down')
      throw new GaterError(
        'connection_closed',
        `${target.toString()} exited during the call: ${termText(signal.reason)}`,
      );
    if (signal.kind !== 'message') return undefined;
    const m = signal.msg;
    if (m instanceof Tuple && m.elements.length === 2 && termEquals(m.elements[0]!, ref)) {
      conn.demonitor(self, target, ref);
      return { value: m.elements[1]! };
    }
    return undefined;
  });
}

/**
 * Opens a mailbox, lets `step` send the request (signal undefined), then feeds it signals until it returns a
 * value or throws. Rejects on timeout or when the connection closes.
 */
function awaitReply(
  conn: DistConnection,
  timeoutMs: number,
  what: string,
  step: (self: Pid, signal: MailboxSignal | undefined) => { value: Term } | undefined,
): Promise<Term> {
  return new Promise((resolve, reject) => {
    if (conn.closed) {
      reject(new GaterError('connection_closed', `link to ${conn.peer} is closed`, { node: conn.peer }));
      return;
    }
    let done = false;
    const finish = (err: GaterError | undefined, value?: Term): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      offClose();
      box.close();
      if (err) reject(err);
      else resolve(value!);
    };
    const box = conn.openMailbox((signal) => {
      try {
        const r = step(box.pid, signal);
        if (r) finish(undefined, r.value);
      } catch (e) {
        finish(e instanceof GaterError ? e : new GaterError('internal', String(e)));
      }
    });
    const timer = setTimeout(
      () =>
        finish(
          new GaterError('timeout', `${conn.peer} did not answer ${what} within ${timeoutMs} ms (it may still run)`, {
            node: conn.peer,
            timeoutMs,
          }),
        ),
      timeoutMs,
    );
    const offClose = conn.onClose((reason) =>
      finish(
        new GaterError('connection_closed', `lost the link to ${conn.peer} during ${what}: ${reason}`, {
          node: conn.peer,
        }),
      ),
    );
    try {
      step(box.pid, undefined);
    } catch (e) {
      finish(e instanceof GaterError ? e : new GaterError('internal', String(e)));
    }
  });
}
