/**
 * `npm run histories:record`: runs a few lead paths on a fresh Temporal dev server with the
 * current workflow code and saves their event histories in test/fixtures/histories/*.json, the
 * JSON format the Temporal CLI and UI export. test/infra/replay.test.ts replays every file against
 * the workflow code in the tree: a change that would break leads already in flight fails CI.
 *
 * Re-record only for histories you mean to add (a new path); keep the old files, since they stand
 * for leads already running in production. See docs/production.md, "Changing the lead workflow".
 * `-- --suffix NAME` writes lead-booked.NAME.json and so on next to them, for a patched() change;
 * `-- --only pool-rotation` (comma-separated names) writes only those.
 */
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { leadWorkflowId, type Lead } from '../domain/qualify/lead';
import { withParsedRules } from '../domain/team/team';
import { policyOf } from '../domain/team/policy';
import { startDevServer, freePort } from '../runtime/dev-server';
import { loadTeamConfig } from '../runtime/load';
import { embeddedProviders } from '../runtime/providers';
import { ensureSearchAttributes } from '../runtime/temporal';
import { createBatonWorker } from '../worker';
import { bookProposalUpdate, buyerMessageSignal, statusQuery, type LeadStatus, type LeadWorkflowInput } from '../workflows/lead/messages';
import { poolStateQuery, poolWorkflowId } from '../workflows/pool/messages';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'test/fixtures/histories');
const TEAM = join(ROOT, 'test/fixtures/team.yaml');
const IDENTITY = 'baton-history-recorder';
const TASK_QUEUE = 'baton-histories';
const { suffix, only } = parseArgs({ options: { suffix: { type: 'string' }, only: { type: 'string' } } }).values;
if (suffix !== undefined && !/^[a-z0-9-]+$/.test(suffix)) {
  console.error(`histories:record: --suffix must be lowercase letters, digits and dashes, got "${suffix}"`);
  process.exit(2);
}


async function until(handle: WorkflowHandle, ok: (s: LeadStatus) => boolean, timeoutMs = 30_000): Promise<LeadStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await handle.query(statusQuery).catch(() => undefined);
    if (s && ok(s)) return s;
    if (Date.now() > deadline) throw new Error(`${handle.workflowId}: stuck at ${s?.stage}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dir = mkdtempSync(join(tmpdir(), 'baton-histories-'));
  const server = await startDevServer({ dataDir: dir, port: await freePort(), uiPort: await freePort() });
  // Meetings at least 6 h out, so a move asked for right after booking is outside the 2 h cutoff.
  const config = loadTeamConfig(TEAM);
  const team = withParsedRules({ ...config, booking: { ...config.booking, minNotice: 6 * 3_600_000 } });
  const local = embeddedProviders(join(dir, 'embedded.sqlite'), team);
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  try {
    await ensureSearchAttributes(connection, 'default');
    const client = new Client({ connection, namespace: 'default', identity: IDENTITY });
    const worker = await createBatonWorker({
      connection: native, client, namespace: 'default', taskQueue: TASK_QUEUE, team,
      providers: { calendar: local.calendar, crm: local.crm, email: local.outbox },
      tuning: { identity: IDENTITY },
    });
    const start = (lead: Lead, policy: Partial<LeadWorkflowInput['policy']> = {}) =>
      client.workflow.start('leadWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId: leadWorkflowId(lead.email),
        // Without overrides the worker's team decides the policy, as for every lead the API starts.
        args: [{ lead, ...(Object.keys(policy).length ? { policy: { ...policyOf(team, false), ...policy } } : {}) }],
      });
    const awaiting = (s: LeadStatus) => s.stage === 'awaiting_reply';
    const handedOff = (s: LeadStatus) => s.stage === 'booked' && s.meeting !== null;

    const recorded: Record<string, WorkflowHandle> = {};
    await worker.runUntil(async () => {
      // Booked: routed by a rule, the buyer names an option in chat, hand-off to the CRM and email.
      const booked = await start({
        email: 'jane@mercyhealth.example', name: 'Jane Park', company: 'Mercy Health',
        message: "We're a 2,000-person hospital network in Seattle looking at Baton for our scheduling team.",
      });
      await until(booked, awaiting);
      await booked.signal(buyerMessageSignal, { text: 'The second one works for me' });
      // Booked and handed off; the lead now waits with its meeting (a running history replays too).
      await until(booked, handedOff);
      recorded['lead-booked'] = booked;

      // Conflict: the chosen time is taken after it was offered; fresh options, then booked (pool lead).
      const conflict = await start({ email: 'bob@initech.example', name: 'Bob Slydell', company: 'Initech', message: 'Can we talk this week?' });
      const offered = await until(conflict, awaiting);
      const chosen = offered.proposals[0]!;
      for (const rep of chosen.attendees) local.calendar.seed({ [rep]: [{ start: chosen.start, end: chosen.end, type: 'busy', title: 'taken' }] });
      const outcome = await conflict.executeUpdate(bookProposalUpdate, { args: [{ proposalId: chosen.id }] });
      if (outcome.outcome !== 'conflict') throw new Error(`expected a conflict, got ${outcome.outcome}`);
      await conflict.executeUpdate(bookProposalUpdate, { args: [{ proposalId: outcome.proposals[0]!.id }] });
      await until(conflict, handedOff);
      recorded['lead-conflict-rebooked'] = conflict;

      // After booking: moved an hour later (the same event), acknowledged, a question for the rep, then canceled.
      const moved = await start({ email: 'moved@mercyhealth.example', name: 'Mo Reyes', company: 'Mercy Health', message: 'Hospital group in Ohio, keen to see Baton.' });
      const firstOffer = await until(moved, awaiting);
      await moved.executeUpdate(bookProposalUpdate, { args: [{ proposalId: firstOffer.proposals[0]!.id }] });
      await until(moved, handedOff);
      await moved.signal(buyerMessageSignal, { text: 'Something came up, can we push it an hour later?' });
      const newTimes = await until(moved, (s) => s.stage === 'rescheduling');
      await moved.signal(buyerMessageSignal, { text: 'the first one please' });
      await until(moved, (s) => s.stage === 'booked' && s.meeting?.reschedules === 1);
      await moved.signal(buyerMessageSignal, { text: 'great, see you then' });
      await moved.signal(buyerMessageSignal, { text: 'Do I need to prepare anything?' });
      await until(moved, (s) => s.events.filter((e) => e.message?.from === 'agent').length >= 6);
      await moved.signal(buyerMessageSignal, { text: 'Sorry, we need to cancel after all.' });
      await moved.result();
      if (!newTimes.proposals.length) throw new Error('no new times were offered');
      recorded['lead-rescheduled-canceled'] = moved;

      // Unresponsive: nudged once, then handed to a human when the reply timeout passes.
      const quiet = await start({ email: 'quiet@globex.example', message: 'Interested in a demo.' }, { nudgeAfterMs: 1_500, replyTimeoutMs: 3_000 });
      await quiet.result();
      recorded['lead-unresponsive'] = quiet;

      // Disqualified at qualification: no routing, no booking.
      const seeker = await start({ email: 'kid@student.example', message: "Hi, I'm looking for a job — are you hiring? Attached my resume." });
      await seeker.result();
      recorded['lead-disqualified'] = seeker;

      // The pool's workflow (still running: a history need not be complete to replay), told by the
      // pool lead how its meeting went (booked, at its start).
      recorded['pool-rotation'] = client.workflow.getHandle(poolWorkflowId(TASK_QUEUE, 'smb'));
      const pool = recorded['pool-rotation'];
      for (let i = 0; (await pool.query(poolStateQuery)).ledger?.meetings[conflict.workflowId]?.state !== 'booked'; i++) {
        if (i > 300) throw new Error('the pool never heard the booking');
        await new Promise((r) => setTimeout(r, 100));
      }
    });

    mkdirSync(OUT, { recursive: true });
    const wanted = only?.split(',').map((n) => n.trim());
    for (const [name, handle] of Object.entries(recorded).filter(([n]) => !wanted || wanted.includes(n))) {
      const json = historyToJSON(await handle.fetchHistory());
      const file = join(OUT, suffix ? `${name}.${suffix}.json` : `${name}.json`);
      writeFileSync(file, `${JSON.stringify(JSON.parse(json), null, 1)}\n`);
      console.log(`${file}: ${(json.length / 1024).toFixed(1)} KiB`);
    }
    await client.workflow.getHandle(poolWorkflowId(TASK_QUEUE, 'smb')).terminate('histories recorded');
  } finally {
    await native.close();
    await connection.close();
    local.db.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
