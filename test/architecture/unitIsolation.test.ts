import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';

// A unit test (*.test.ts) that opened a socket or started a process would be an integration test under the wrong
// name; test/setup/unitIsolation.ts makes it fail at the call, naming the file kind to use instead.
describe('unit tests are isolated (test/setup/unitIsolation.ts)', () => {
  it('listening on a TCP port throws', () => {
    expect(() => createServer().listen(0, '127.0.0.1')).toThrow(/\.int\.test\.ts/);
  });

  it('dialling a TCP port throws', () => {
    expect(() => connect(1, '127.0.0.1')).toThrow(/\.int\.test\.ts/);
  });

  it('binding or sending on a UDP socket throws', () => {
    const socket = createSocket('udp4');
    try {
      expect(() => socket.bind(0, '127.0.0.1')).toThrow(/\.int\.test\.ts/);
      expect(() => socket.send('x', 1, '127.0.0.1')).toThrow(/\.int\.test\.ts/);
    } finally {
      socket.close();
    }
  });

  it('starting a child process throws', () => {
    expect(() => spawn(process.execPath, ['-e', ''])).toThrow(/\.int\.test\.ts/);
    expect(() => execFile(process.execPath, ['-e', ''])).toThrow(/\.int\.test\.ts/);
  });
});
