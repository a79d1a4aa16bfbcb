/**
 * Builds the real providers that the environment configures. A provider whose variables are all
 * unset is simply absent (the caller falls back to the embedded one); a provider that is only
 * half configured is a start-up error (ConfigError naming the missing variable), never a silent
 * fallback. Nothing here contacts a provider: credentials are checked on first use.
 *
 * Variables (see .env.example and docs/connect-your-tools.md):
 *   OPENAI_API_KEY, OPENAI_MODEL, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID
 *   BATON_LLM_TIMEOUT_MS, BATON_LLM_MAX_OUTPUT_TOKENS                (the model's time budget)
 *   GOOGLE_SERVICE_ACCOUNT_KEY_FILE | GOOGLE_SERVICE_ACCOUNT_JSON   (service account + delegation)
 *   GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, GOOGLE_REFRESH_TOKEN    (OAuth refresh token)
 *   GOOGLE_API_ROOT_URL, GOOGLE_TOKEN_URL                           (advanced: proxies, emulators)
 *   HUBSPOT_ACCESS_TOKEN, HUBSPOT_BASE_URL
 *   SENDGRID_API_KEY, SENDGRID_FROM, SENDGRID_SANDBOX, SENDGRID_BASE_URL, SENDGRID_EMAIL_ACTIVITY
 *   PROVIDER_TIMEOUT_MS                                             (Google, HubSpot, SendGrid)
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../domain/errors';
import type { CalendarProvider, CrmProvider, EmailProvider, LlmProvider } from './providers';
import { GoogleCalendarProvider } from './google-calendar/calendar';
import { parseServiceAccountKey, type GoogleCredentials } from './google-calendar/auth';
import { HubSpotCrmProvider } from './hubspot/crm';
import { DEFAULT_OPENAI_MODEL, OpenAiLlmProvider } from './openai/llm';
import { DEFAULT_LLM_BUDGET, LLM_MAX_OUTPUT_TOKENS_BOUNDS, LLM_TIMEOUT_BOUNDS, type LlmBudget } from './llm-budget';
import { parseAddress, SendGridEmailProvider } from './sendgrid/email';
import type { SendLedger } from './sendgrid/ledger';

export interface RealProviders {
  calendar?: CalendarProvider;
  crm?: CrmProvider;
  email?: EmailProvider;
  llm?: LlmProvider;
  /** One line per configured provider: `calendar: google (3 reps)`, `llm: openai (gpt-4.1-mini)`. */
  summary: string[];
}

export function realProvidersFromEnv(
  env: NodeJS.ProcessEnv,
  opts: { repCount: number; /** Where SendGrid records sent keys (the data directory's SQLite file). */ sendLedger?: SendLedger },
): RealProviders {
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const timeoutMs = positiveInt(get, 'PROVIDER_TIMEOUT_MS');
  const out: RealProviders = { summary: [] };

  // --- LLM: OpenAI or any OpenAI-compatible server -------------------------------------------
  const budget = llmBudgetFromEnv(get);
  const openAiKey = get('OPENAI_API_KEY');
  if (openAiKey) {
    const baseURL = get('OPENAI_BASE_URL');
    if (baseURL) checkUrl('OPENAI_BASE_URL', baseURL);
    const llm = new OpenAiLlmProvider({
      apiKey: openAiKey,
      model: get('OPENAI_MODEL'),
      baseURL,
      organization: get('OPENAI_ORG_ID'),
      project: get('OPENAI_PROJECT_ID'),
      timeoutMs: budget.timeoutMs,
      maxAttempts: budget.maxAttempts,
      maxOutputTokens: budget.maxOutputTokens,
    });
    out.llm = llm;
    out.summary.push(
      `llm: openai (${llm.model}${baseURL ? ` at ${baseURL}` : ''}; ${budget.timeoutMs} ms and ${budget.maxOutputTokens} output tokens per step)`,
    );
  } else {
    const stray = ['OPENAI_MODEL', 'OPENAI_BASE_URL', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID'].find((n) => get(n));
    if (stray) {
      throw new ConfigError(
        `${stray} is set but OPENAI_API_KEY is missing (for a local OpenAI-compatible server that needs no key, set OPENAI_API_KEY to any value)`,
      );
    }
  }

  // --- Calendar: Google ------------------------------------------------------------------------
  const credentials = googleCredentials(get);
  if (credentials) {
    const rootUrl = get('GOOGLE_API_ROOT_URL');
    const tokenUrl = get('GOOGLE_TOKEN_URL');
    if (rootUrl) checkUrl('GOOGLE_API_ROOT_URL', rootUrl);
    if (tokenUrl) checkUrl('GOOGLE_TOKEN_URL', tokenUrl);
    out.calendar = new GoogleCalendarProvider({
      credentials,
      rootUrl: rootUrl ? withSlash(rootUrl) : undefined,
      tokenUrl,
      timeoutMs,
    });
    out.summary.push(`calendar: google (${opts.repCount} ${opts.repCount === 1 ? 'rep' : 'reps'})`);
  }

  // --- CRM: HubSpot ----------------------------------------------------------------------------
  const hubspotToken = get('HUBSPOT_ACCESS_TOKEN');
  if (hubspotToken) {
    const basePath = get('HUBSPOT_BASE_URL');
    if (basePath) checkUrl('HUBSPOT_BASE_URL', basePath);
    out.crm = new HubSpotCrmProvider({ accessToken: hubspotToken, basePath, timeoutMs });
    out.summary.push('crm: hubspot');
  } else if (get('HUBSPOT_BASE_URL')) {
    throw new ConfigError('HUBSPOT_BASE_URL is set but HUBSPOT_ACCESS_TOKEN is missing');
  }

  // --- Email: SendGrid -------------------------------------------------------------------------
  const sendgridKey = get('SENDGRID_API_KEY');
  const sendgridFrom = get('SENDGRID_FROM');
  const sandbox = bool(get, 'SENDGRID_SANDBOX');
  const activityCheck = bool(get, 'SENDGRID_EMAIL_ACTIVITY');
  if (sendgridKey) {
    if (!sendgridFrom) {
      throw new ConfigError('SENDGRID_API_KEY is set but SENDGRID_FROM is missing (a verified sender, e.g. "Acme Sales <sales@acme.com>")');
    }
    const baseUrl = get('SENDGRID_BASE_URL');
    if (baseUrl) checkUrl('SENDGRID_BASE_URL', baseUrl);
    const email = new SendGridEmailProvider({
      apiKey: sendgridKey,
      from: parseAddress(sendgridFrom, 'SENDGRID_FROM'),
      sandbox,
      baseUrl: baseUrl ? withSlash(baseUrl) : undefined,
      timeoutMs,
      ledger: opts.sendLedger,
      activityCheck,
    });
    out.email = email;
    out.summary.push(`email: sendgrid${sandbox ? ' (sandbox: nothing is delivered)' : ''}`);
  } else {
    const stray =
      ['SENDGRID_FROM', 'SENDGRID_BASE_URL'].find((n) => get(n)) ?? (sandbox ? 'SENDGRID_SANDBOX' : activityCheck ? 'SENDGRID_EMAIL_ACTIVITY' : undefined);
    if (stray) throw new ConfigError(`${stray} is set but SENDGRID_API_KEY is missing`);
  }

  return out;
}

function googleCredentials(get: (name: string) => string | undefined): GoogleCredentials | undefined {
  const keyFile = get('GOOGLE_SERVICE_ACCOUNT_KEY_FILE');
  const keyJson = get('GOOGLE_SERVICE_ACCOUNT_JSON');
  const oauthNames = ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'GOOGLE_REFRESH_TOKEN'] as const;
  const oauthSet = oauthNames.filter((n) => get(n));

  if (keyFile && keyJson) {
    throw new ConfigError('GOOGLE_SERVICE_ACCOUNT_KEY_FILE and GOOGLE_SERVICE_ACCOUNT_JSON are both set: use one');
  }
  if ((keyFile || keyJson) && oauthSet.length) {
    throw new ConfigError(
      `Google Calendar is configured twice: a service account (${keyFile ? 'GOOGLE_SERVICE_ACCOUNT_KEY_FILE' : 'GOOGLE_SERVICE_ACCOUNT_JSON'}) and OAuth (${oauthSet.join(', ')}); use one`,
    );
  }
  if (keyFile) {
    let text: string;
    try {
      text = readFileSync(keyFile, 'utf8');
    } catch (err) {
      throw new ConfigError(`GOOGLE_SERVICE_ACCOUNT_KEY_FILE=${keyFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    return parseServiceAccountKey(text, `GOOGLE_SERVICE_ACCOUNT_KEY_FILE=${keyFile}`);
  }
  if (keyJson) return parseServiceAccountKey(keyJson, 'GOOGLE_SERVICE_ACCOUNT_JSON');
  if (oauthSet.length === 0) {
    const stray = ['GOOGLE_API_ROOT_URL', 'GOOGLE_TOKEN_URL'].find((n) => get(n));
    if (stray) throw new ConfigError(`${stray} is set but no Google credentials are (GOOGLE_SERVICE_ACCOUNT_KEY_FILE, or GOOGLE_CLIENT_ID + GOOGLE_CLIENT_SECRET + GOOGLE_REFRESH_TOKEN)`);
    return undefined;
  }
  const missing = oauthNames.filter((n) => !get(n));
  if (missing.length) {
    throw new ConfigError(`Google Calendar OAuth is half configured: ${oauthSet.join(', ')} set but ${missing.join(', ')} missing`);
  }
  return {
    kind: 'oauth',
    clientId: get('GOOGLE_CLIENT_ID')!,
    clientSecret: get('GOOGLE_CLIENT_SECRET')!,
    refreshToken: get('GOOGLE_REFRESH_TOKEN')!,
  };
}

/**
 * The model's time budget: BATON_LLM_TIMEOUT_MS (one step, every attempt included) and
 * BATON_LLM_MAX_OUTPUT_TOKENS, checked even without OPENAI_API_KEY so a typo shows before the key
 * is added. OPENAI_TIMEOUT_MS (a per-request timeout of 60 s by default) was replaced by the budget.
 */
export function llmBudgetFromEnv(get: (name: string) => string | undefined): LlmBudget {
  if (get('OPENAI_TIMEOUT_MS')) {
    throw new ConfigError(
      `OPENAI_TIMEOUT_MS was replaced by BATON_LLM_TIMEOUT_MS: the time budget of one model step, every attempt included (default ${DEFAULT_LLM_BUDGET.timeoutMs}, at most ${LLM_TIMEOUT_BOUNDS.max})`,
    );
  }
  return {
    timeoutMs: intInRange(get, 'BATON_LLM_TIMEOUT_MS', LLM_TIMEOUT_BOUNDS, 'milliseconds') ?? DEFAULT_LLM_BUDGET.timeoutMs,
    maxOutputTokens: intInRange(get, 'BATON_LLM_MAX_OUTPUT_TOKENS', LLM_MAX_OUTPUT_TOKENS_BOUNDS, 'tokens') ?? DEFAULT_LLM_BUDGET.maxOutputTokens,
    maxAttempts: DEFAULT_LLM_BUDGET.maxAttempts,
  };
}

function intInRange(
  get: (name: string) => string | undefined,
  name: string,
  bounds: { min: number; max: number },
  unit: string,
): number | undefined {
  const raw = get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < bounds.min || value > bounds.max) {
    throw new ConfigError(`${name}: expected a whole number of ${unit} from ${bounds.min} to ${bounds.max}, got "${raw}"`);
  }
  return value;
}

function positiveInt(get: (name: string) => string | undefined, name: string): number | undefined {
  const raw = get(name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) throw new ConfigError(`${name}: expected a positive number of milliseconds, got "${raw}"`);
  return Number(raw);
}

function bool(get: (name: string) => string | undefined, name: string): boolean {
  const raw = get(name)?.toLowerCase();
  if (raw === undefined) return false;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name}: expected true or false, got "${get(name)}"`);
}

function checkUrl(name: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name}: "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name}: "${value}" must be an http(s) URL`);
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

export { DEFAULT_OPENAI_MODEL };
