import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison that also hides the length of the expected secret. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHmac('sha256', 'baton-compare').update(a).digest();
  const hb = createHmac('sha256', 'baton-compare').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

export function matchesApiKey(presented: string, keys: readonly string[]): boolean {
  let found = false;
  for (const key of keys) found = safeEqual(presented, key) || found;
  return found;
}

/**
 * Buyer tokens: `<leadId>.<expiry>.<hmac>`, signed with the server secret, scoped to one lead and
 * expiring (default 30 days), so a buyer's browser can read and answer only its own lead.
 */
export class BuyerTokens {
  private readonly secret: Buffer;

  constructor(secret?: string, private readonly ttlMs = 30 * 86_400_000) {
    this.secret = secret ? Buffer.from(secret) : randomBytes(32);
  }

  issue(leadId: string, now = Date.now()): string {
    const expires = Math.floor((now + this.ttlMs) / 1000).toString(36);
    return `${leadId}~${expires}~${this.sign(`${leadId}~${expires}`)}`;
  }

  /** The lead the token grants, or null when it is forged, malformed or expired. */
  verify(token: string, now = Date.now()): string | null {
    const [leadId, expires, signature, extra] = token.split('~');
    if (!leadId || !expires || !signature || extra !== undefined) return null;
    if (!safeEqual(signature, this.sign(`${leadId}~${expires}`))) return null;
    if (parseInt(expires, 36) * 1000 < now) return null;
    return leadId;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}

/** A token bucket per caller (API key, buyer token or IP): `capacity` requests, refilled per minute. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perMinute: number) {}

  /** Milliseconds to wait before retrying, or 0 when the request may go ahead. */
  take(caller: string, now = Date.now()): number {
    const bucket = this.buckets.get(caller) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) / 60_000) * this.perMinute);
    bucket.at = now;
    if (this.buckets.size > 50_000) this.buckets.clear();
    this.buckets.set(caller, bucket);
    if (bucket.tokens < 1) return Math.ceil(((1 - bucket.tokens) / this.perMinute) * 60_000);
    bucket.tokens -= 1;
    return 0;
  }
}
