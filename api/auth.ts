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

const DAY_MS = 86_400_000;

/**
 * Buyer tokens: `<leadId>~<expiry>~<hmac>`, signed with the server secret, scoped to one lead and
 * expiring (default 30 days), so a buyer's browser can read and answer only its own lead.
 *
 * The expiry counts from the start of the issuing period (a UTC day for the default lifetime), so
 * tokens issued for one lead in one day are the same string: a client retrying `POST /v1/leads`
 * with its idempotency key gets back exactly what it lost, and an anonymous caller cannot tell a new
 * lead from an existing one by comparing two answers.
 */
export class BuyerTokens {
  private readonly secret: Buffer;

  constructor(secret?: string, private readonly ttlMs = 30 * DAY_MS) {
    this.secret = secret ? Buffer.from(secret) : randomBytes(32);
  }

  issue(leadId: string, now = Date.now()): string {
    const period = Math.min(DAY_MS, this.ttlMs);
    const expires = Math.floor((Math.floor(now / period) * period + this.ttlMs) / 1000).toString(36);
    return `${leadId}~${expires}~${this.sign(`${leadId}~${expires}`)}`;
  }

  /**
   * A keyed digest of `parts` under this server's secret (another purpose than the token signature):
   * what an idempotency key and an email are remembered as in a workflow's memo, so neither the key
   * nor a way to forge it is ever stored.
   */
  digest(purpose: string, ...parts: string[]): string {
    return createHmac('sha256', this.secret).update(JSON.stringify([purpose, ...parts])).digest('base64url');
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
