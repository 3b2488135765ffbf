// Budgets per client: an IPv6 host counts by its /64, and the server holds a bounded number of
// connections in all, with room kept for a local health probe.
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clientKey, limitConnections } from '../../src/collector/addresses';

describe('clientKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::99', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s counts as %s', (address, key) => expect(clientKey(address)).toBe(key));
});

describe('limitConnections', () => {
  let server: Server;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise((done) => server.close(done));
  });

  /** Whether a connection from `from` is kept open (a refused one is closed at once). */
  const kept = (port: number, from: string) =>
    new Promise<boolean>((done) => {
      const socket = connect({ port, host: '127.0.0.1', localAddress: from });
      sockets.push(socket);
      socket.once('close', () => done(false));
      socket.once('connect', () => setTimeout(() => done(!socket.destroyed && socket.readyState === 'open'), 150));
    });

  it('refuses connections beyond the total, but never from 127.0.0.1, and beyond the count per address', async () => {
    server = createServer();
    limitConnections(server, { perAddress: 3, total: 6 });
    await new Promise<void>((done) => server.listen(0, '0.0.0.0', done));
    const { port } = server.address() as { port: number };
    const results: boolean[] = [];
    for (let i = 0; i < 4; i++) results.push(await kept(port, '127.0.0.2'));
    expect(results).toEqual([true, true, true, false]);
    for (let i = 3; i < 7; i++) results.push(await kept(port, `127.0.0.${i}`));
    expect(results.slice(4)).toEqual([true, true, true, false]);
    // Six are open: a stranger is refused, a local probe is not.
    expect(await kept(port, '127.0.0.9')).toBe(false);
    expect(await kept(port, '127.0.0.1')).toBe(true);
    // The probe and one more close: there is room again.
    sockets[sockets.length - 1].destroy();
    sockets[0].destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(await kept(port, '127.0.0.10')).toBe(true);
  });
});
