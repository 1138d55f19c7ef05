/**
 * The client's address for rate limits. X-Forwarded-For is believed only as far as TRUST_PROXY
 * says (proxy-addr's rules: addresses, subnets, `loopback`, `linklocal`, `uniquelocal`, or a
 * number of hops); unset, it is the socket's peer and a client cannot choose its own.
 */
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

export type TrustProxy = (address: string, hop: number) => boolean;

/** TRUST_PROXY's value as a trust function; throws on a value proxy-addr does not understand. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const setting = value?.trim() ?? '';
  if (setting === '' || setting === '0' || setting === 'false') return () => false;
  if (/^\d+$/.test(setting)) {
    const hops = Number(setting);
    return (_address, hop) => hop < hops;
  }
  return proxyaddr.compile(setting.split(',').map((part) => part.trim()).filter(Boolean));
}

export function clientAddress(req: IncomingMessage, trust: TrustProxy): string {
  if (!req.socket.remoteAddress) return 'unknown';
  return proxyaddr(req, trust);
}
