/**
 * `GET /v1/ops/fairness`: each running pool's counts against its members' weighted shares, cap use
 * and outcomes, from the pool workflows themselves (a query each). The API has no team file (the
 * worker's team is the authority): a pool is reported with the settings its workflow last turned with.
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { poolFairness, poolFairnessSchema, reportedFromLedger, type ReportedPool } from '../domain/route/fairness-report';
import { readPoolStates, runningPoolIds } from '../runtime/pool-client';
import type { PoolState } from '../workflows/pool/messages';
import type { ApiDeps, ApiEnv } from './context';
import { ApiError } from './errors';
import { errorSchema } from './schemas';

export const fairnessSchema = z.object({
  pools: z.array(poolFairnessSchema),
  generatedAt: z.string(),
});

const json = <T>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

/** A pool that never took a fair turn (continued from before fairness): its members as the rotation knew them. */
function rotationOnly(id: string, state: PoolState): ReportedPool {
  return {
    id,
    name: id,
    members: Object.keys(state.assignments).sort(),
    distribution: 'round_robin',
    weights: {},
    caps: {},
    fairness: { window: 'never', count: 'booked', calibrate: true },
    learn: false,
    names: {},
    timezone: 'UTC',
  };
}

export function fairnessRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/ops/fairness',
      summary: "Each pool's counts this window against its members' weighted shares",
      description:
        'Per pool and member: the window’s count (booked or held meetings, as the pool counts them), the weighted share, the distance between them, ' +
        'cap use, and booked / held / no-show outcomes; for pools that learn, the held rate of learned leads against the holdout’s. ' +
        'Pools are found in Temporal visibility (a pool appears after its first turn) and read from their workflows.',
      security: [{ bearer: [] }],
      responses: {
        200: json(fairnessSchema, 'Fairness per pool'),
        401: json(errorSchema, 'API key required'),
        429: json(errorSchema, 'Rate limited (see Retry-After)'),
        503: json(errorSchema, 'Temporal (or the pool worker) is unreachable'),
      },
    }),
    async (c) => {
      if (c.get('caller').kind !== 'server') throw new ApiError(401, 'unauthorized', 'ops routes need an API key');
      const states = await deps.client.connection.withDeadline(Date.now() + (deps.temporalTimeoutMs ?? 10_000), async () =>
        readPoolStates(deps.client, deps.taskQueue, await runningPoolIds(deps.client, deps.taskQueue)),
      );
      const now = Date.now();
      const pools = [...states.entries()].flatMap(([id, state]) => {
        if (!state) return [];
        const settings = (state.ledger && reportedFromLedger(state.ledger)) ?? rotationOnly(id, state);
        return [poolFairness(settings, state.ledger ?? null, now)];
      });
      return c.json({ pools, generatedAt: new Date(now).toISOString() }, 200);
    },
  );
  return app;
}
