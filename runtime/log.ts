import { createHash } from 'node:crypto';
import pino from 'pino';

/**
 * A lead's email, as logs name it: `#` and the first 12 hex digits of the SHA-256 of the normalised
 * address. Ops correlate a log line with a lead by hashing the address they look for
 * (`printf %s jane@mercyhealth.org | sha256sum | cut -c1-12`), and lines of one lead share it.
 */
export function emailRef(email: string): string {
  return `#${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 12)}`;
}

/** Anything shaped like an email address. */
const EMAIL = /[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
/** A lead's workflow id, `lead-<email>`. */
const WORKFLOW_ID = /\blead-([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
/** A lead id (`<base64url of the email>.<run id>`): the first part is the email, readable by anyone. */
const LEAD_ID = /\b([A-Za-z0-9_-]{6,})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/gi;

function fromBase64Email(encoded: string): string | null {
  const text = Buffer.from(encoded, 'base64url').toString('utf8');
  return /^[^\s@]+@[^\s@]+$/.test(text) ? text : null;
}

/**
 * Workflow ids (`lead-<email>`), lead ids and any text carry buyers' emails: logs keep the lines and
 * replace each address with its emailRef, so `lead-jane@mercyhealth.org` becomes `lead-#3f1a…` and
 * a lead id `amFuZ….<run id>` becomes `#3f1a….<run id>`.
 */
export function redactEmails(text: string): string {
  return text
    .replace(LEAD_ID, (whole, encoded: string, runId: string) => {
      const email = fromBase64Email(encoded);
      return email ? `${emailRef(email)}.${runId}` : whole;
    })
    .replace(WORKFLOW_ID, (_whole, email: string) => `lead-${emailRef(email)}`)
    .replace(EMAIL, (email) => emailRef(email));
}

const redactString = (v: unknown) => (typeof v === 'string' ? redactEmails(v) : v);

/** Errors keep their type and stack; their message and stack lose emails (Temporal's messages name workflow ids). */
function redactError(err: unknown): unknown {
  const plain = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  if (!plain || typeof plain !== 'object') return redactString(plain);
  return Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, typeof v === 'string' ? redactEmails(v) : v]));
}

/**
 * Structured logs; never message text, emails or tokens at info level. Every field that can carry
 * an email (workflow ids, lead ids, paths, emails, error messages, whatever level) is redacted by
 * the serializers here, so no call site has to remember to.
 */
export function createLogger(destination?: pino.DestinationStream, level = process.env.LOG_LEVEL ?? 'info') {
  return pino({
  level,
  base: { service: 'baton' },
  serializers: {
    workflowId: redactString,
    leadId: redactString,
    email: redactString,
    path: redactString,
    url: redactString,
    err: redactError,
    error: redactString,
  },
  hooks: {
    // The message itself may name a lead ("... for lead-jane@..."): redact it too.
    logMethod(args, method) {
      const [first, ...rest] = args as unknown[];
      if (typeof first === 'string') return method.apply(this, [redactEmails(first), ...rest] as Parameters<typeof method>);
      if (typeof rest[0] === 'string') return method.apply(this, [first, redactEmails(rest[0]), ...rest.slice(1)] as Parameters<typeof method>);
      return method.apply(this, args);
    },
  },
  }, destination);
}

export const logger = createLogger();
