/** `GET /v1/leads/:leadId/events`: server-sent events of one lead, fed by the process's event hub (api/event-hub.ts). */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { logger } from '../runtime/log';
import { eventsQuery } from '../workflows/lead/messages';
import type { ApiDeps, ApiEnv } from './context';
import { ApiError } from './errors';
import { StreamLimitError, type EventHub, type Subscription } from './event-hub';
import { authorizeLead, currentRun, errors, security, temporalCalls } from './lead-access';
import { leadIdParams } from './schemas';

/** One server-sent event as a client parses it: `data` is the JSON of `{ id, at, type, stage?, message? }`. */
const sseEventSchema = z.object({
  id: z.string().optional(),
  event: z.enum(['stage', 'message']).optional(),
  data: z.string().optional(),
  retry: z.number().int().optional(),
});

export function leadEventRoutes(deps: ApiDeps, hub: EventHub) {
  const app = new OpenAPIHono<ApiEnv>();
  const { timed, handle } = temporalCalls(deps);
  const limits = hub.limits;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/leads/{leadId}/events',
      summary: 'Server-sent events: every stage change and message (resume with Last-Event-ID)',
      description:
        'Each event has `id` (resume point), `event` (`stage` or `message`) and `data` (JSON: `{ id, at, type, stage? , message? }`). ' +
        'The stream ends after a final stage, when the lead\'s workflow closes, or after its maximum age (10 minutes by default): ' +
        'EventSource then reconnects with Last-Event-ID and misses nothing. A closed lead with nothing new answers 204. ' +
        'Open streams are capped per buyer token, per API key and per server (429 `too_many_streams`). ' +
        'Browsers\' EventSource cannot send headers, so on this route (and only here) the buyer token may be passed as `?token=`.',
      security,
      request: {
        params: leadIdParams,
        query: z.object({
          token: z.string().optional().openapi({ description: 'The buyer token, for EventSource (API keys only in the Authorization header)' }),
          lastEventId: z.string().regex(/^\d{1,15}$/).optional().openapi({ description: 'Resume after this event id (same as the Last-Event-ID header)' }),
        }),
        headers: z.object({
          'last-event-id': z.string().regex(/^\d{1,15}$/).optional().openapi({ description: 'Resume after this event id (EventSource sends it when it reconnects)' }),
        }),
      },
      responses: {
        200: { content: { 'text/event-stream': { schema: sseEventSchema } }, description: 'A stream of `stage` and `message` events' },
        204: { description: 'The lead is closed and has no events after Last-Event-ID: stop listening' },
        ...errors,
      },
    }),
    async (c) => {
      const { leadId } = c.req.valid('param');
      const caller = c.get('caller');
      // The stream follows the lead's current run (continue-as-new keeps its event ids going).
      const ids = (await timed(() => currentRun(deps.client, authorizeLead(caller, leadId)))).ids;
      const resumeFrom = Number(c.req.valid('header')['last-event-id'] ?? c.req.valid('query').lastEventId ?? 0) || 0;
      let release: () => void;
      try {
        release = hub.reserve(caller.kind === 'anonymous' ? '' : caller.credential, caller.kind === 'buyer' ? 'buyer' : 'server');
      } catch (err) {
        if (!(err instanceof StreamLimitError)) throw err;
        throw new ApiError(429, 'too_many_streams', err.message, { limit: err.limit }, { 'retry-after': '5' });
      }
      let feed: Awaited<ReturnType<EventHub['feed']>>;
      try {
        feed = await hub.feed(ids, resumeFrom); // 404 before the stream opens
        if (!feed.running) {
          // A closed lead: what is left, read once; nothing new is 204, so EventSource stops reconnecting.
          const { events } = await timed(() => handle(ids).query(eventsQuery, resumeFrom));
          if (events.length === 0) {
            release();
            return c.body(null, 204);
          }
          c.header('X-Accel-Buffering', 'no');
          return streamSSE(c, async (stream) => {
            try {
              await stream.write('retry: 2000\n\n');
              for (const e of events) await stream.writeSSE({ id: String(e.id), event: e.type, data: JSON.stringify(e) });
            } finally {
              release();
            }
          });
        }
      } catch (err) {
        release();
        throw err;
      }
      c.header('X-Accel-Buffering', 'no'); // proxies must not buffer the stream
      return streamSSE(c, async (stream) => {
        const opened = Date.now();
        let sub: Subscription | undefined;
        let aborted = false;
        stream.onAbort(() => {
          aborted = true;
          sub?.close();
        });
        try {
          await stream.write('retry: 2000\n\n'); // how soon a browser reconnects after the stream ends
          sub = await feed.join(resumeFrom);
          let lastWrite = Date.now();
          while (!aborted) {
            for (let e = sub.queue.shift(); e; e = sub.queue.shift()) {
              await stream.writeSSE({ id: String(e.id), event: e.type, data: JSON.stringify(e) });
              lastWrite = Date.now();
            }
            if (sub.ended) break;
            const ageLeft = opened + limits.maxAgeMs - Date.now();
            if (ageLeft <= 0) break; // the client reconnects with Last-Event-ID
            const heartbeatIn = lastWrite + limits.heartbeatMs - Date.now();
            if (heartbeatIn <= 0) {
              await stream.write(': heartbeat\n\n');
              lastWrite = Date.now();
              continue;
            }
            await sub.wait(Math.min(ageLeft, heartbeatIn));
          }
        } catch (err) {
          // The stream just ends (no internals on the wire); the browser reconnects with Last-Event-ID and misses nothing.
          if (!aborted) logger.warn({ err: (err as Error).message, leadId }, 'event stream ended on an error');
        } finally {
          sub?.close();
          release();
        }
      });
    },
  );

  return app;
}
