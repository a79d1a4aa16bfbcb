/**
 * `npm run bench:route`: routing decisions per second, offline, on a 50-rep, 30-rule team over
 * 10,000 synthetic leads (fact extraction + rule matching + distribution, as `baton route` does).
 */
import { cpus, totalmem } from 'node:os';
import { InMemoryPools } from '../domain/route/distribution';
import { settle } from '../domain/route/fairness';
import { extractFacts } from '../domain/qualify/facts';
import { parseWorkingHours, type DayHours } from '../domain/team/hours';
import { buyerText, type Lead } from '../domain/qualify/lead';
import { routeLead } from '../domain/route/routing';
import { withParsedRules } from '../domain/team/team';
import { DEFAULT_BOOKING, poolWithDefaults, type Rep, type Pool } from '../domain/team/config';

const LEADS = Number(process.env.BENCH_LEADS ?? 10_000);
const hours = parseWorkingHours('Mon-Fri 09:00-17:00') as DayHours[];
const zones = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'Europe/London'];
const reps: Rep[] = Array.from({ length: 50 }, (_, i) => ({
  id: `rep${i}`, name: `Rep${i} Person${i}`, email: `rep${i}@acme.example`, timezone: zones[i % zones.length]!, hours,
  pto: i % 17 === 0 ? [{ from: '2026-11-01', to: '2026-12-31' }] : [], ...(i % 5 === 0 ? { backup: `rep${i + 1}` } : {}),
}));
const pools: Pool[] = Array.from({ length: 10 }, (_, p) => poolWithDefaults({
  id: `pool${p}`, name: `Pod ${p}`, members: reps.slice(p * 5, p * 5 + 5).map((r) => r.id),
  distribution: (['round_robin', 'first_available', 'ranked', 'group'] as const)[p % 4]!,
}));
const industries = ['Healthcare', 'Fintech', 'Education', 'Retail', 'Manufacturing', 'Insurance'];
const places = ['Texas', 'California', 'EMEA', 'APAC', 'West Coast leads', 'New York', 'Florida', 'LATAM'];
const rules = [
  ...industries.map((ind, i) => `${ind} companies go to rep${i * 3}`),
  ...places.map((pl, i) => `${pl.includes('leads') ? pl : `Leads from ${pl}`} go to the Pod ${i} team`),
  'Enterprise deals over $100K go to pool9 with a solutions engineer from pool8',
  'Deals between $50k and $100k go to rep20',
  'Deals under 20,000 USD go to pool7',
  'More than 1000 employees go to rep21',
  'If someone mentions Competitor X, route to rep22',
  'Leads that bring up HIPAA go to rep23',
  'Urgent requests go to pool6',
  'Healthcare leads over $50k from Texas go to rep24',
  'Fintech companies in EMEA go to rep25',
  'Deals of $1.2M+ go to rep26',
  'Leads that mention SOC 2 go to rep27',
  'Education leads under $10k go to pool5',
  'If someone mentions Gong, route to rep28',
  'Retail deals over $500k go to rep29',
  'Manufacturing leads from the Midwest go to rep30',
  'Insurance companies with more than 500 employees go to rep31',
].slice(0, 30);
const team = withParsedRules({
  company: { name: 'Acme', timezone: 'America/New_York' },
  booking: { ...DEFAULT_BOOKING, meetingMinutes: 30, horizon: 172_800_000, proposals: 3, minNotice: 3_600_000, buffer: 600_000, replyTimeout: 86_400_000, nudgeAfter: 7_200_000, maxBookingAttempts: 3 },
  territories: {}, competitors: ['Competitor X', 'Gong'], reps, pools, rules, fallback: { type: 'pool', id: 'pool0' },
});

const phrases = [
  "We're a 2,000-person hospital network in Seattle, budget around $150k.",
  'Small fintech startup from Austin, Texas. Need something cheap, maybe $15k.',
  'Our school district in Ohio wants a demo; we are currently on Competitor X.',
  'Retailer based in London, 300 staff, urgent — need to go live this month.',
  'Manufacturing company in Chicago, about 5k employees, HIPAA not relevant.',
  'Insurance carrier in Paris, 900 employees, looking at Gong alternatives.',
  'Just exploring options for our team of 12 in Denver.',
];
const leads: Lead[] = Array.from({ length: LEADS }, (_, i) => ({ email: `buyer${i}@company${i % 500}.example`, message: `${phrases[i % phrases.length]} (#${i})` }));
const ctx = { competitors: team.competitors, territories: team.territories };
const now = Date.parse('2026-12-01T15:00:00Z');
const turns = new InMemoryPools();

// Facts are extracted once per lead (the workflow's qualify step); routing runs on them.
function extractAll() {
  return leads.map((lead) => ({ lead, facts: extractFacts(lead, ctx), text: buyerText(lead) }));
}

async function routeAll(prepared: ReturnType<typeof extractAll>) {
  let assigned = 0;
  for (const [i, { facts, text }] of prepared.entries()) {
    const d = settle(routeLead({ team, facts, text, crmOwner: null, now, calendars: {} }), turns.answerer(`l${i}`));
    assigned += d.reps.length;
  }
  return assigned;
}

await routeAll(extractAll().slice(0, 500)); // warm-up
const t0 = performance.now();
const prepared = extractAll();
const extractSeconds = (performance.now() - t0) / 1000;
const t1 = performance.now();
await routeAll(prepared);
const routeSeconds = (performance.now() - t1) / 1000;
const table = {
  leads: LEADS,
  reps: reps.length,
  rules: team.compiledRules.length,
  'route decisions/s': Math.round(LEADS / routeSeconds),
  'fact extractions/s': Math.round(LEADS / extractSeconds),
  'extract + route leads/s': Math.round(LEADS / (extractSeconds + routeSeconds)),
  machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
};
console.table(table);
