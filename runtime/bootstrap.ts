import type { Team } from '../domain/team/team';
import type { LeadWorkflowInput } from '../workflows/messages';
import { loadCalendarSeed, loadCrmSeed, loadTeam, loadTeamConfig } from './load';
import { logger } from './log';
import { ruleCacheFile } from './rule-cache';
import { selectProviders, type ProviderSetup } from './providers';
import type { Settings } from './settings';

export interface Baton {
  team: Team;
  setup: ProviderSetup;
  policy: LeadWorkflowInput['policy'];
}

/** Loads and validates every file, picks the providers and compiles the rules: refuses to start on any error. */
export async function bootstrap(settings: Settings, env: NodeJS.ProcessEnv = process.env): Promise<Baton> {
  const config = loadTeamConfig(settings.teamFile);
  const accounts = loadCrmSeed(settings.crmFile);
  const calendars = loadCalendarSeed(settings.calendarFile, config);
  const setup = selectProviders(env, config, settings.dataDir, { accounts, calendars });
  // Rules the parser cannot read are compiled by the model once and kept in the data directory.
  const team = await loadTeam(settings.teamFile, setup.providers.llm, { cacheFile: ruleCacheFile(settings.dataDir), warn: (m) => logger.warn(m) });
  const byModel = team.compiledRules.filter((r) => r.compiledBy === 'llm').length;
  if (byModel) setup.summary.push(`rules: ${byModel} of ${team.compiledRules.length} compiled by the LLM (npx baton rules shows them)`);
  return { team, setup, policy: policyOf(team, !!setup.providers.llm) };
}

export function policyOf(team: Team, useLlm: boolean): LeadWorkflowInput['policy'] {
  return {
    meetingMinutes: team.booking.meetingMinutes,
    proposals: team.booking.proposals,
    replyTimeoutMs: team.booking.replyTimeout,
    nudgeAfterMs: team.booking.nudgeAfter,
    maxBookingAttempts: team.booking.maxBookingAttempts,
    companyName: team.company.name,
    companyTimezone: team.company.timezone,
    useLlm,
  };
}
