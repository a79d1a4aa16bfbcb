import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { TeamConfig } from '../domain/team/config';
import { EmbeddedCalendar, type SeedEvent } from '../integrations/embedded/calendar';
import { EmbeddedCrm, type SeedAccount } from '../integrations/embedded/crm';
import { openEmbeddedDb } from '../integrations/embedded/db';
import { withFaults } from '../integrations/embedded/faults';
import { EmbeddedOutbox } from '../integrations/embedded/outbox';
import { realProvidersFromEnv } from '../integrations/from-env';
import { SqliteSendLedger } from '../integrations/sendgrid/ledger';
import type { Providers } from '../integrations/providers';

export interface EmbeddedProviders {
  db: DatabaseSync;
  calendar: EmbeddedCalendar;
  crm: EmbeddedCrm;
  outbox: EmbeddedOutbox;
}

export function embeddedProviders(dbPath: string, team: Pick<TeamConfig, 'reps'>): EmbeddedProviders {
  const db = openEmbeddedDb(dbPath);
  const repIdByEmail = new Map(team.reps.map((r) => [r.email.toLowerCase(), r.id]));
  return { db, calendar: new EmbeddedCalendar(db, repIdByEmail), crm: new EmbeddedCrm(db), outbox: new EmbeddedOutbox(db) };
}

export function embeddedDbPath(dataDir: string): string {
  return join(dataDir, 'embedded.sqlite');
}

export interface ProviderSetup {
  providers: Providers;
  /** Present when the embedded one is in use (no real provider configured), for seeding and the ops outbox. */
  embedded: Partial<Pick<EmbeddedProviders, 'calendar' | 'crm' | 'outbox'>>;
  summary: string[];
}

/**
 * Decides once, from the environment, which provider serves each capability: a configured real one
 * (Google Calendar, HubSpot, SendGrid, OpenAI), else the embedded SQLite one.
 */
export function selectProviders(
  env: NodeJS.ProcessEnv,
  team: TeamConfig,
  dataDir: string,
  seeds: { accounts?: SeedAccount[]; calendars?: Record<string, SeedEvent[]> } = {},
): ProviderSetup {
  const local = embeddedProviders(embeddedDbPath(dataDir), team);
  const real = realProvidersFromEnv(env, { repCount: team.reps.length, sendLedger: new SqliteSendLedger(local.db) });
  if (!real.crm && seeds.accounts) local.crm.seed(seeds.accounts);
  if (!real.calendar && seeds.calendars) local.calendar.seed(seeds.calendars);
  const faultRate = Number(env.BATON_FAULT_RATE ?? 0);
  const faulty = <T extends object>(p: T) => withFaults(p, Number.isFinite(faultRate) ? faultRate : 0);
  const providers: Providers = {
    calendar: faulty(real.calendar ?? local.calendar),
    crm: faulty(real.crm ?? local.crm),
    email: faulty(real.email ?? local.outbox),
    ...(real.llm ? { llm: real.llm } : {}),
  };
  const summary = [
    real.calendar ? null : `calendar: embedded (${team.reps.length} reps)`,
    real.crm ? null : 'crm: embedded',
    real.email ? null : 'email: embedded outbox',
    real.llm ? null : 'llm: none (deterministic extractor, rule parser and reply parser)',
    ...real.summary,
    faultRate > 0 ? `faults: ${faultRate * 100}% of provider calls fail (BATON_FAULT_RATE)` : null,
  ].filter((s): s is string => s !== null);
  return {
    providers,
    embedded: {
      ...(real.calendar ? {} : { calendar: local.calendar }),
      ...(real.crm ? {} : { crm: local.crm }),
      ...(real.email ? {} : { outbox: local.outbox }),
    },
    summary,
  };
}

/**
 * What the API process needs of the providers: only the embedded outbox (for `GET /v1/ops/outbox`)
 * when no real email provider is configured. It acts for no lead, so it builds nothing else.
 */
export function apiProviders(env: NodeJS.ProcessEnv, dataDir: string): { outbox?: EmbeddedOutbox } {
  const real = realProvidersFromEnv(env, { repCount: 0 });
  return real.email ? {} : { outbox: new EmbeddedOutbox(openEmbeddedDb(embeddedDbPath(dataDir))) };
}
