import { Tuple, atom, termMap, tuple, type Term } from '../../src/core/wire/etf.js';

/**
 * One term using every kind the ETF codec supports. It is also the TS twin of `sample()` in
 * heartbeat_probe.escript: the interop test compares it with Erlang's own term_to_binary.
 */
export const sampleTerm: Term = termMap([
  [atom('node'), atom('a@127.0.0.1')],
  [atom('ts'), Buffer.from('{"v":1}')],
  [atom('ints'), [0, 255, 256, -1, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, -(2 ** 40), 2n ** 64n, -(2n ** 70n)]],
  [atom('floats'), [1.5, -0.25, 1e300]],
  [atom('str'), [104, 105]],
  [atom('tuple'), tuple(atom('ok'), Buffer.alloc(0), tuple())],
  [atom('big_tuple'), new Tuple(Array.from({ length: 300 }, (_, i) => i))],
  [atom('日本'), termMap([[1, [termMap([])]]])],
  [Buffer.from('k'), [atom('true'), atom('false'), atom('nil')]],
]);
