import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../domain/errors';
import { realProvidersFromEnv } from '../../integrations/from-env';
import { HttpRecorder } from './http-recorder';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SA_JSON = JSON.stringify({
  type: 'service_account',
  project_id: 'acme-prod',
  private_key_id: 'abc123',
  private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  client_email: 'baton@acme-prod.iam.gserviceaccount.com',
  client_id: '1234567890',
  token_uri: 'https://oauth2.googleapis.com/token',
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-env-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('realProvidersFromEnv', () => {
  it('with nothing configured every provider is absent (the caller uses the embedded ones)', () => {
    const out = realProvidersFromEnv({ PORT: '3000', OPENAI_API_KEY: '  ' }, { repCount: 3 });
    expect(out).toEqual({ summary: [] });
  });

  it('builds every configured provider and summarises them', () => {
    const out = realProvidersFromEnv(
      {
        OPENAI_API_KEY: 'sk-test',
        GOOGLE_SERVICE_ACCOUNT_JSON: SA_JSON,
        HUBSPOT_ACCESS_TOKEN: 'pat-na1-x',
        SENDGRID_API_KEY: 'SG.x',
        SENDGRID_FROM: 'Acme Sales <sales@acme.example>',
      },
      { repCount: 3 },
    );
    expect(out.llm?.kind).toBe('openai');
    expect(out.calendar?.kind).toBe('google');
    expect(out.crm?.kind).toBe('hubspot');
    expect(out.email?.kind).toBe('sendgrid');
    expect(out.summary).toEqual([
      'llm: openai (gpt-4.1-mini; 8000 ms and 1024 output tokens per step)',
      'calendar: google (3 reps)',
      'crm: hubspot',
      'email: sendgrid',
    ]);
  });

  it('reads the model budget (BATON_LLM_TIMEOUT_MS, BATON_LLM_MAX_OUTPUT_TOKENS) and rejects bad values', () => {
    const out = realProvidersFromEnv({ OPENAI_API_KEY: 'k', BATON_LLM_TIMEOUT_MS: '2500', BATON_LLM_MAX_OUTPUT_TOKENS: '300' }, { repCount: 1 });
    expect((out.llm as unknown as { budget: unknown }).budget).toEqual({ timeoutMs: 2500, maxAttempts: 3, maxOutputTokens: 300 });
    expect(out.summary[0]).toBe('llm: openai (gpt-4.1-mini; 2500 ms and 300 output tokens per step)');
    for (const [name, value] of [
      ['BATON_LLM_TIMEOUT_MS', '8s'],
      ['BATON_LLM_TIMEOUT_MS', '0'],
      ['BATON_LLM_TIMEOUT_MS', '60000'],
      ['BATON_LLM_MAX_OUTPUT_TOKENS', '-1'],
      ['BATON_LLM_MAX_OUTPUT_TOKENS', '1e3'],
    ] as const) {
      // Checked with or without a key, so a typo shows before the key is added.
      for (const key of [{ OPENAI_API_KEY: 'k' }, {}]) {
        const message = configError(() => realProvidersFromEnv({ ...key, [name]: value }, { repCount: 1 })).message;
        expect(message).toMatch(new RegExp(`^${name}: expected a whole number of (milliseconds|tokens) from \\d+ to \\d+, got "${value}"$`));
      }
    }
    expect(configError(() => realProvidersFromEnv({ OPENAI_API_KEY: 'k', OPENAI_TIMEOUT_MS: '60000' }, { repCount: 1 })).message).toMatch(
      /^OPENAI_TIMEOUT_MS was replaced by BATON_LLM_TIMEOUT_MS/,
    );
  });

  it('reads a service account key file, and OAuth when all three variables are set', () => {
    const file = join(dir, 'sa.json');
    writeFileSync(file, SA_JSON);
    expect(realProvidersFromEnv({ GOOGLE_SERVICE_ACCOUNT_KEY_FILE: file }, { repCount: 1 }).summary).toEqual(['calendar: google (1 rep)']);
    const oauth = realProvidersFromEnv(
      { GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: 'secret', GOOGLE_REFRESH_TOKEN: '1//r' },
      { repCount: 2 },
    );
    expect(oauth.calendar?.kind).toBe('google');
  });

  it('half-configured providers are ConfigErrors naming the missing variable', () => {
    expect(configError(() => realProvidersFromEnv({ GOOGLE_CLIENT_ID: 'id' }, { repCount: 1 })).message).toMatch(
      /GOOGLE_CLIENT_SECRET, GOOGLE_REFRESH_TOKEN missing/,
    );
    expect(
      configError(() => realProvidersFromEnv({ GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: 's' }, { repCount: 1 })).message,
    ).toMatch(/GOOGLE_REFRESH_TOKEN missing/);
    expect(configError(() => realProvidersFromEnv({ SENDGRID_API_KEY: 'SG.x' }, { repCount: 1 })).message).toMatch(/SENDGRID_FROM is missing/);
    expect(configError(() => realProvidersFromEnv({ SENDGRID_FROM: 'a@b.example' }, { repCount: 1 })).message).toMatch(
      /SENDGRID_API_KEY is missing/,
    );
    expect(configError(() => realProvidersFromEnv({ OPENAI_MODEL: 'gpt-4.1' }, { repCount: 1 })).message).toMatch(/OPENAI_API_KEY is missing/);
    expect(configError(() => realProvidersFromEnv({ HUBSPOT_BASE_URL: 'http://x' }, { repCount: 1 })).message).toMatch(
      /HUBSPOT_ACCESS_TOKEN is missing/,
    );
  });

  it('rejects conflicting or invalid values with the variable name', () => {
    expect(
      configError(() => realProvidersFromEnv({ GOOGLE_SERVICE_ACCOUNT_JSON: SA_JSON, GOOGLE_CLIENT_ID: 'id' }, { repCount: 1 })).message,
    ).toMatch(/configured twice/);
    expect(
      configError(() => realProvidersFromEnv({ GOOGLE_SERVICE_ACCOUNT_KEY_FILE: join(dir, 'missing.json') }, { repCount: 1 })).message,
    ).toMatch(/GOOGLE_SERVICE_ACCOUNT_KEY_FILE=.*missing\.json: cannot read it \(ENOENT\)/);
    expect(configError(() => realProvidersFromEnv({ GOOGLE_SERVICE_ACCOUNT_JSON: '{"type":"authorized_user"}' }, { repCount: 1 })).message).toMatch(
      /GOOGLE_SERVICE_ACCOUNT_JSON: expected a service account key/,
    );
    expect(
      configError(() => realProvidersFromEnv({ SENDGRID_API_KEY: 'SG.x', SENDGRID_FROM: 'Acme', SENDGRID_SANDBOX: 'true' }, { repCount: 1 })).message,
    ).toMatch(/SENDGRID_FROM: "Acme" is not an email address/);
    expect(
      configError(() => realProvidersFromEnv({ SENDGRID_API_KEY: 'SG.x', SENDGRID_FROM: 'a@b.example', SENDGRID_SANDBOX: 'maybe' }, { repCount: 1 })).message,
    ).toMatch(/SENDGRID_SANDBOX: expected true or false/);
    expect(configError(() => realProvidersFromEnv({ SENDGRID_EMAIL_ACTIVITY: 'true' }, { repCount: 1 })).message).toMatch(
      /SENDGRID_EMAIL_ACTIVITY is set but SENDGRID_API_KEY is missing/,
    );
    expect(
      configError(() => realProvidersFromEnv({ SENDGRID_API_KEY: 'SG.x', SENDGRID_FROM: 'a@b.example', SENDGRID_EMAIL_ACTIVITY: 'on please' }, { repCount: 1 })).message,
    ).toMatch(/SENDGRID_EMAIL_ACTIVITY: expected true or false/);
    expect(configError(() => realProvidersFromEnv({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'localhost:11434' }, { repCount: 1 })).message).toMatch(
      /OPENAI_BASE_URL/,
    );
    expect(configError(() => realProvidersFromEnv({ PROVIDER_TIMEOUT_MS: '10s' }, { repCount: 1 })).message).toMatch(/PROVIDER_TIMEOUT_MS/);
  });

  it('wires model, base URLs and sandbox through to the requests', async () => {
    const server = await HttpRecorder.start();
    try {
      server.on('POST', '/v1/chat/completions', {
        json: {
          id: 'c',
          object: 'chat.completion',
          created: 1,
          model: 'llama3.1',
          choices: [{ index: 0, message: { role: 'assistant', content: '{"ok":true}', refusal: null }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        },
      });
      server.on('POST', '/v3/mail/send', { status: 200 });
      const out = realProvidersFromEnv(
        {
          OPENAI_API_KEY: 'ollama',
          OPENAI_MODEL: 'llama3.1',
          OPENAI_BASE_URL: `${server.url}/v1`,
          SENDGRID_API_KEY: 'SG.x',
          SENDGRID_FROM: 'sales@acme.example',
          SENDGRID_SANDBOX: 'true',
          SENDGRID_BASE_URL: server.url,
        },
        { repCount: 2 },
      );
      expect(out.summary).toEqual([
        `llm: openai (llama3.1 at ${server.url}/v1; 8000 ms and 1024 output tokens per step)`,
        'email: sendgrid (sandbox: nothing is delivered)',
      ]);
      await out.llm!.completeJson({ name: 't', system: 's', user: 'u', schema: z.object({ ok: z.boolean() }) });
      await out.email!.send({ key: 'k', to: [{ email: 'jane@mercyhealth.org' }], subject: 's', text: 't', html: '<p>t</p>' });
      expect((server.requests[0]!.body as { model: string }).model).toBe('llama3.1');
      expect((server.requests[1]!.body as { mail_settings: unknown }).mail_settings).toEqual({ sandbox_mode: { enable: true } });
      expect(server.unmatched).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
