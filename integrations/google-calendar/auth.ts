/**
 * Credentials for the Google Calendar adapter. Two ways in:
 *
 * - Service account with domain-wide delegation (Google Workspace): one key, and the adapter
 *   impersonates each rep by email (`subject`), so every call acts as that rep on their own
 *   calendar. The Workspace admin authorises the service account's client ID for the scopes below.
 * - OAuth refresh token of one Google user (a scheduling account) that has been given access to
 *   each rep's calendar ("Make changes to events"). Every call acts as that user.
 *
 * Both use the same scopes: `calendar.freebusy` (freebusy.query) and `calendar.events`
 * (events.list for out-of-office, events.insert / get / patch / delete / move for bookings).
 */
import type * as GoogleCalendarSdk from 'googleapis/build/src/apis/calendar/index.js';
import { ConfigError } from '../../domain/errors';
import { loadSdk } from '../sdk';

export const GOOGLE_CALENDAR_SCOPES = [
  'https://www.googleapis.com/auth/calendar.freebusy',
  'https://www.googleapis.com/auth/calendar.events',
];
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export interface ServiceAccountCredentials {
  kind: 'service_account';
  clientEmail: string;
  privateKey: string;
  privateKeyId?: string;
}

export interface OAuthRefreshCredentials {
  kind: 'oauth';
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export type GoogleCredentials = ServiceAccountCredentials | OAuthRefreshCredentials;

export type GoogleAuthClient = InstanceType<typeof GoogleCalendarSdk.auth.OAuth2>;

/** googleapis' Calendar module (with its auth clients), loaded when first needed (integrations/sdk.ts). */
export const googleCalendarSdk = () => loadSdk<typeof GoogleCalendarSdk>('googleapis/build/src/apis/calendar/index.js');

/**
 * Parses a service-account key (the JSON downloaded from the Cloud console). `source` names where
 * it came from (`GOOGLE_SERVICE_ACCOUNT_KEY_FILE=/path`) for error messages; the key itself is
 * never echoed.
 */
export function parseServiceAccountKey(json: string, source: string): ServiceAccountCredentials {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new ConfigError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const record = data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  if (record.type !== undefined && record.type !== 'service_account') {
    throw new ConfigError(`${source}: expected a service account key ("type": "service_account"), got "${String(record.type)}"`);
  }
  const clientEmail = record.client_email;
  const privateKey = record.private_key;
  if (typeof clientEmail !== 'string' || !clientEmail) {
    throw new ConfigError(`${source}: missing "client_email"`);
  }
  if (typeof privateKey !== 'string' || !privateKey.includes('PRIVATE KEY')) {
    throw new ConfigError(`${source}: missing or invalid "private_key"`);
  }
  return {
    kind: 'service_account',
    clientEmail,
    privateKey,
    privateKeyId: typeof record.private_key_id === 'string' ? record.private_key_id : undefined,
  };
}

export interface AuthFactoryOptions {
  /** Token endpoint; default Google's. Tests point it at a local server. */
  tokenUrl?: string;
  timeoutMs: number;
}

/**
 * Hands out one auth client per acting user: per rep email for a service account (each with its
 * own cached access token), or the single OAuth client.
 */
export class GoogleAuthClients {
  private readonly clients = new Map<string, GoogleAuthClient>();
  private oauthClient?: GoogleAuthClient;

  constructor(
    private readonly credentials: GoogleCredentials,
    private readonly options: AuthFactoryOptions,
  ) {}

  get kind(): GoogleCredentials['kind'] {
    return this.credentials.kind;
  }

  /** The client acting as `userEmail` (service account) or as the OAuth user (ignores the email). */
  for(userEmail: string): GoogleAuthClient {
    if (this.credentials.kind === 'oauth') {
      this.oauthClient ??= this.createOAuth(this.credentials);
      return this.oauthClient;
    }
    const key = userEmail.toLowerCase();
    let client = this.clients.get(key);
    if (!client) {
      client = new (googleCalendarSdk().auth.JWT)({
        email: this.credentials.clientEmail,
        key: this.credentials.privateKey,
        keyId: this.credentials.privateKeyId,
        scopes: GOOGLE_CALENDAR_SCOPES,
        subject: key,
        transporterOptions: this.transporterOptions(),
      });
      this.clients.set(key, client);
    }
    return client;
  }

  private createOAuth(credentials: OAuthRefreshCredentials): GoogleAuthClient {
    const client = new (googleCalendarSdk().auth.OAuth2)({
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      endpoints: { oauth2TokenUrl: this.options.tokenUrl ?? GOOGLE_TOKEN_URL },
      transporterOptions: this.transporterOptions(),
    });
    client.setCredentials({ refresh_token: credentials.refreshToken });
    return client;
  }

  /**
   * No retries inside the auth library either (Temporal retries), a timeout, and — for the JWT
   * flow, whose token URL is fixed inside google-auth-library — a fetch that sends token requests
   * to `tokenUrl` when one is configured.
   */
  private transporterOptions() {
    const tokenUrl = this.options.tokenUrl;
    const fetchImplementation: typeof fetch | undefined =
      tokenUrl && tokenUrl !== GOOGLE_TOKEN_URL
        ? (input, init) => {
            const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
            return fetch(url === GOOGLE_TOKEN_URL ? tokenUrl : input, init);
          }
        : undefined;
    return {
      timeout: this.options.timeoutMs,
      retryConfig: { retry: 0, noResponseRetries: 0 },
      ...(fetchImplementation ? { fetchImplementation } : {}),
    };
  }
}
