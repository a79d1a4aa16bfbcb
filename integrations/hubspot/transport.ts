/**
 * How every HubSpot request is sent: the SDK's own limiter, a per-request deadline that really
 * closes the connection, and the caller's AbortSignal (a cancelled or timed-out Temporal attempt).
 *
 * - Limits. HubSpot allows private apps 100-190 requests per 10 s and the CRM search endpoints 4
 *   per second per token (developers.hubspot.com/changelog/crm-search-api-rate-limit-increase); a
 *   429 beyond them. Baton turns on the SDK's Bottleneck limiter (`limiterOptions`): its
 *   `DEFAULT_LIMITER_OPTIONS` (9/s, 6 at once) for every call, and a second client with its
 *   `SEARCH_LIMITER_OPTIONS` (550 ms apart, 3 at once: ~1.8/s) for searches only. The limiters are
 *   per process: N worker processes sharing one token send up to N times that.
 * - Deadlines. The SDK sends through Node's `http.request` when a request carries an agent and takes
 *   a per-call middleware that can set one; `abortableAgent` destroys the request when its signal
 *   fires. The per-request timer starts when the request leaves the limiter queue, not before.
 *
 * The SDK applies limiter decorators from a process-wide singleton when an API object is first
 * touched (`ApiDecoratorService.getInstance()`), so each client's API objects are resolved right
 * after that client is constructed, before another client replaces the singleton's decorators.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type * as HubSpotSdk from '@hubspot/api-client';
import type { Client } from '@hubspot/api-client';
import { ProviderUnavailable } from '../../domain/errors';
import { abortableAgent, abortReason, whenAborted } from '../abort';
import { fromHubSpotError } from '../errors';
import { loadSdk } from '../sdk';

/** HubSpot's client, loaded when the first HubSpot provider is built (integrations/sdk.ts). */
export const hubSpotSdk = () => loadSdk<typeof HubSpotSdk>('@hubspot/api-client');

export const DEFAULT_HUBSPOT_BASE_PATH = 'https://api.hubapi.com';
const PROVIDER = 'hubspot';

export type LimiterOptions = NonNullable<NonNullable<ConstructorParameters<typeof Client>[0]>['limiterOptions']>;

/** What the SDK's per-call `_options` needs to carry Baton's middleware (appended to the SDK's own). */
export interface SdkCallOptions {
  middleware: {
    pre<C extends { setAgent(agent: HttpAgent): void }>(context: C): Promise<C>;
    post<R>(context: R): Promise<R>;
  }[];
  middlewareMergeStrategy: 'append';
}

export interface TransportOptions {
  accessToken: string;
  basePath?: string;
  timeoutMs: number;
  limiter?: LimiterOptions;
  searchLimiter?: LimiterOptions;
}

function apisOf(client: Client) {
  return {
    contacts: client.crm.contacts.basicApi,
    companies: client.crm.companies.basicApi,
    owners: client.crm.owners.ownersApi,
    notes: client.crm.objects.notes.basicApi,
    meetings: client.crm.objects.meetings.basicApi,
    tasks: client.crm.objects.tasks.basicApi,
  };
}

function searchApisOf(client: Client) {
  return {
    companies: client.crm.companies.searchApi,
    notes: client.crm.objects.notes.searchApi,
    meetings: client.crm.objects.meetings.searchApi,
    tasks: client.crm.objects.tasks.searchApi,
  };
}

export type HubSpotApis = ReturnType<typeof apisOf>;
export type HubSpotSearchApis = ReturnType<typeof searchApisOf>;

export class HubSpotTransport {
  readonly api: HubSpotApis;
  readonly search: HubSpotSearchApis;
  private readonly agent: HttpAgent;
  private readonly timeoutMs: number;

  constructor(options: TransportOptions) {
    const basePath = (options.basePath ?? DEFAULT_HUBSPOT_BASE_PATH).replace(/\/+$/, '');
    const config = { accessToken: options.accessToken, basePath, numberOfApiCallRetries: 0 };
    const { Client, DEFAULT_LIMITER_OPTIONS, SEARCH_LIMITER_OPTIONS } = hubSpotSdk();
    this.api = apisOf(new Client({ ...config, limiterOptions: options.limiter ?? DEFAULT_LIMITER_OPTIONS }));
    this.search = searchApisOf(new Client({ ...config, limiterOptions: options.searchLimiter ?? SEARCH_LIMITER_OPTIONS }));
    this.agent = basePath.startsWith('https:') ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.timeoutMs = options.timeoutMs;
  }

  /**
   * Runs one SDK call with Baton's middleware; maps its errors. `signal` (the Temporal attempt's)
   * aborts it at any point, queued in the limiter or on the wire; the per-request deadline
   * starts when the request is sent.
   */
  async call<T>(work: (options: SdkCallOptions) => Promise<T>, signal?: AbortSignal): Promise<T> {
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new AbortController();
    const options: SdkCallOptions = {
      middlewareMergeStrategy: 'append',
      middleware: [
        {
          pre: async (context) => {
            signal?.throwIfAborted();
            timer = setTimeout(() => {
              timedOut = true;
              deadline.abort();
            }, this.timeoutMs);
            timer.unref();
            const stop = signal ? AbortSignal.any([deadline.signal, signal]) : deadline.signal;
            context.setAgent(abortableAgent(this.agent, stop));
            return context;
          },
          post: async (context) => context,
        },
      ],
    };
    const aborted = whenAborted(signal);
    try {
      const result = await Promise.race([work(options), aborted.promise]);
      if (result === undefined || result === null || typeof result !== 'object') {
        throw new ProviderUnavailable(`${PROVIDER}: empty or non-JSON response body`, {
          details: { provider: PROVIDER, code: 'malformed_response' },
        });
      }
      return result;
    } catch (err) {
      if (timedOut) {
        throw new ProviderUnavailable(`${PROVIDER}: unreachable (TimeoutError: no response within ${this.timeoutMs} ms)`, {
          details: { provider: PROVIDER, code: 'TimeoutError' },
        });
      }
      if (signal?.aborted) {
        throw new ProviderUnavailable(`${PROVIDER}: request aborted (${abortReason(signal).message})`, {
          details: { provider: PROVIDER, code: 'AbortError' },
        });
      }
      throw fromHubSpotError(err);
    } finally {
      clearTimeout(timer);
      aborted.dispose();
    }
  }
}
