/**
 * Rate limits of one API process: token buckets per caller, the caller's address behind trusted
 * proxies, and the figures an operator sets from the environment (runtime/settings.ts).
 *
 * Each API process keeps its own buckets (no shared store): with N processes behind a load balancer
 * a caller can get up to N times a limit. The README says what to do about it.
 */
import { BlockList, isIP } from 'node:net';

/** Per-minute limits, each a token bucket of that many requests refilled over a minute. */
export interface RateLimits {
  /** Requests per API key. */
  perKey: number;
  /** Requests per buyer token. */
  perBuyer: number;
  /** Requests per client address (IPv6 per /64) without credentials. */
  perIp: number;
  /** Failed authentications per client address; past it, every credentialed request from there is 429 until it refills. */
  authFailuresPerIp: number;
  /** Buyer messages per lead (POST /v1/leads/:id/messages), whoever sends them. */
  messagesPerLead: number;
  /** Keys each limiter remembers; past it the least recently seen are forgotten (their buckets start full again). */
  maxKeys: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perKey: 600, perBuyer: 60, perIp: 30, authFailuresPerIp: 10, messagesPerLead: 10, maxKeys: 100_000 };

/**
 * A token bucket per key, `perMinute` requests, refilled continuously. Memory is bounded: the map
 * keeps keys in least-recently-used order and forgets the oldest past `maxKeys` (a flood of new
 * keys pushes out idle ones, never the whole table at once).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perMinute: number,
    private readonly maxKeys = DEFAULT_RATE_LIMITS.maxKeys,
  ) {}

  get size(): number {
    return this.buckets.size;
  }

  /** Milliseconds to wait before retrying, or 0 when the request may go ahead (and is counted). */
  take(key: string, now = Date.now()): number {
    const bucket = this.refilled(key, now);
    if (bucket.tokens < 1) return this.waitFor(bucket);
    bucket.tokens -= 1;
    return 0;
  }

  /** Like `take`, without counting: how long until one request would be let through. */
  peek(key: string, now = Date.now()): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    const tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) / 60_000) * this.perMinute);
    return tokens < 1 ? this.waitFor({ tokens }) : 0;
  }

  private refilled(key: string, now: number) {
    const previous = this.buckets.get(key);
    const bucket = previous ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) / 60_000) * this.perMinute);
    bucket.at = now;
    // Re-inserting moves the key to the newest end of the map's order.
    if (previous) this.buckets.delete(key);
    this.buckets.set(key, bucket);
    while (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return bucket;
  }

  private waitFor(bucket: { tokens: number }): number {
    return Math.ceil(((1 - bucket.tokens) / this.perMinute) * 60_000);
  }
}

/** Which proxies in front of the API may be believed about the caller's address. */
export type TrustedProxies = { kind: 'none' } | { kind: 'count'; hops: number } | { kind: 'cidrs'; list: BlockList; text: string };

/**
 * `BATON_TRUSTED_PROXIES`: unset or empty (trust nobody: the socket's address), a number of proxy
 * hops (`1` behind one load balancer), or comma-separated addresses and CIDR ranges of the proxies
 * (`10.0.0.0/8, 2001:db8::/32`). Throws with what was expected.
 */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  const text = (value ?? '').trim();
  if (!text) return { kind: 'none' };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 20) throw new Error(`expected a number of proxy hops (0-20) or CIDR ranges, got "${text}"`);
    return hops === 0 ? { kind: 'none' } : { kind: 'count', hops };
  }
  const list = new BlockList();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [address, bits, extra] = part.split('/');
    const family = isIP(address ?? '');
    if (!family || extra !== undefined) throw new Error(`expected an IP address or CIDR range such as 10.0.0.0/8, got "${part}"`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address!, type);
    else {
      const prefix = Number(bits);
      if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) throw new Error(`"${part}": the prefix length must be 0-${family === 4 ? 32 : 128}`);
      list.addSubnet(address!, prefix, type);
    }
  }
  return { kind: 'cidrs', list, text };
}

/** `::ffff:1.2.3.4` is the IPv4 address it maps; anything else is returned as it is. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

function trusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The caller's address. Without trusted proxies: the socket's. With a hop count N: the N-th
 * address from the right of `X-Forwarded-For` + socket (each proxy appends the address it saw, so
 * the right-most entries are the ones our own proxies wrote). With CIDR ranges: walking from the
 * socket leftwards, the first address that is not one of our proxies. Entries a client wrote
 * itself sit further left and are never reached, so they cannot pick their own bucket.
 */
export function clientAddress(socket: string, forwardedFor: string | undefined, proxies: TrustedProxies): string {
  const peer = unmapped(socket);
  if (proxies.kind === 'none') return peer;
  const hops = (forwardedFor ?? '')
    .split(',')
    .map((h) => unmapped(h.trim().replace(/^\[([^\]]+)\](:\d+)?$/, '$1')))
    .filter(Boolean);
  const chain = [...hops, peer];
  if (proxies.kind === 'count') return chain[Math.max(0, chain.length - 1 - proxies.hops)]!;
  for (let i = chain.length - 1; i > 0; i--) {
    if (!trusted(proxies.list, chain[i]!)) return chain[i]!;
  }
  return chain[0]!;
}

/** Expands an IPv6 address into its eight groups (no `::`), or null when it is not one. */
function ipv6Groups(address: string): string[] | null {
  if (isIP(address) !== 6) return null;
  let text = address.split('%')[0]!;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => g.toLowerCase().padStart(4, '0'));
}

/**
 * The key an address is limited under: an IPv4 address itself, an IPv6 address by its /64 (one
 * subscriber line or host usually holds a whole /64, so per-address buckets would be free to dodge).
 */
export function rateKeyOfAddress(address: string): string {
  const groups = ipv6Groups(address);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

/** The Retry-After header for a wait in milliseconds (whole seconds, at least 1). */
export const retryAfter = (waitMs: number) => ({ 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) });
