// Who a client is, for budgets: an IPv4 address, or an IPv6 /64, since one IPv6 host is usually given
// a whole /64 and could otherwise take a fresh address for every connection.

import type { Server } from 'node:http';
import { isIPv6 } from 'node:net';

/** The budget key of a client address. */
export const clientKey = (address: string): string => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
};

/** Where a local health probe comes from. */
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Bounds the connections a server holds: `perAddress` for each client (when there is no proxy in
 * front, whose one address every client would share), and `total` in all. Loopback is never refused
 * by the total, so that a local health probe still gets through while strangers fill the rest.
 */
export const limitConnections = (server: Server, limits: { perAddress?: number; total: number }) => {
  const open = new Map<string, number>();
  let total = 0;
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    const key = clientKey(address);
    const mine = (open.get(key) ?? 0) + 1;
    if ((limits.perAddress && mine > limits.perAddress) || (total >= limits.total && !LOOPBACK.has(address)))
      return socket.destroy();
    open.set(key, mine);
    total++;
    socket.once('close', () => {
      total--;
      const left = (open.get(key) ?? 1) - 1;
      if (left) open.set(key, left);
      else open.delete(key);
    });
  });
};
