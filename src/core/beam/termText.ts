import { Atom, ImproperList, OpaqueTerm, Pid, Reference, TermMap, Tuple, type Term } from '../wire/etf.js';

/**
 * An Erlang-syntax rendering of a term for messages and logs (`{badrpc,{'EXIT',...}}`), cut at `max` characters
 * so a huge reason never floods a log line.
 */
export function termText(t: Term, max = 400): string {
  const s = render(t, 0);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function render(t: Term, depth: number): string {
  if (depth > 20) return '…';
  if (typeof t === 'number' || typeof t === 'bigint') return String(t);
  if (t instanceof Atom) return /^[a-z][a-zA-Z0-9_@]*$/.test(t.name) ? t.name : `'${t.name.replace(/'/g, "\\'")}'`;
  if (t instanceof Uint8Array) {
    const text = Buffer.from(t).toString('utf8');
    return /^[\x20-\x7e\u00a0-\uffff]*$/.test(text) && !text.includes('\ufffd')
      ? `<<"${text}">>`
      : `<<${[...t].join(',')}>>`;
  }
  if (t instanceof Tuple) return `{${t.elements.map((e) => render(e, depth + 1)).join(',')}}`;
  if (t instanceof TermMap)
    return `#{${t.entries.map(([k, v]) => `${render(k, depth + 1)} => ${render(v, depth + 1)}`).join(',')}}`;
  if (t instanceof Pid || t instanceof Reference || t instanceof OpaqueTerm) return t.toString();
  if (t instanceof ImproperList)
    return `[${t.elements.map((e) => render(e, depth + 1)).join(',')}|${render(t.tail, depth + 1)}]`;
  return `[${(t as readonly Term[]).map((e) => render(e, depth + 1)).join(',')}]`;
}
