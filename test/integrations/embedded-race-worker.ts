/**
 * One process of the embedded calendar's race test (embedded-calendar.test.ts): opens the shared
 * SQLite file as a separate worker process would, waits for the common start instant, makes one
 * move or hand-over and prints `{ ok }` or `{ ok: false, error }` on stdout.
 */
import { EmbeddedCalendar } from '../../integrations/embedded/calendar';
import { openEmbeddedDb } from '../../integrations/embedded/db';
import type { CalendarOwner, EventRef } from '../../integrations/providers';

interface RaceStep {
  reps: [string, string][];
  ref: EventRef;
  move?: { start: string; end: string };
  reassign?: { from: CalendarOwner; to: CalendarOwner };
}

const [path, json, startAt] = process.argv.slice(2) as [string, string, string];
const step = JSON.parse(json) as RaceStep;
const calendar = new EmbeddedCalendar(openEmbeddedDb(path), new Map(step.reps));
while (Date.now() < Number(startAt)) {
  // Spin until the common instant, so the processes reach the database together.
}
try {
  if (step.move) await calendar.moveEvent(step.ref, step.move);
  else await calendar.reassignEvent(step.ref, step.reassign!);
  console.log(JSON.stringify({ ok: true }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, error: (err as Error).name }));
}
