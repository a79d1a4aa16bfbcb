import type { Client } from '@temporalio/client';
import { OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { withMetrics } from '../../api/metrics';
import type { ApiEnv } from '../../api/context';
import { Counter, Histogram, Registry } from '../../runtime/prometheus';
import { LEAD_STAGES } from '../../workflows/lead/messages';

/** A client whose visibility counts are scripted: `stage -> count`, or an error. */
function fakeClient(counts: () => Record<string, number> | Error) {
  const queries: string[] = [];
  const client = {
    workflow: {
      async count(query: string) {
        queries.push(query);
        const c = counts();
        if (c instanceof Error) throw c;
        const stage = /LeadStage = "(\w+)"/.exec(query)?.[1] ?? '';
        return { count: c[stage] ?? 0, groups: [] };
      },
    },
  } as unknown as Client;
  return { client, queries };
}

/** An app wired the way api/app.ts wires it: metrics first, then the routes. */
function app(o: { apiKeys?: string[]; counts?: () => Record<string, number> | Error; now?: () => number } = {}) {
  const { client, queries } = fakeClient(o.counts ?? (() => ({ booked: 3, awaiting_reply: 2 })));
  const a = new OpenAPIHono<ApiEnv>();
  a.onError((err, c) => c.json({ error: err.message }, 500));
  withMetrics(a, { client, apiKeys: o.apiKeys ?? [] }, { ...(o.now ? { now: o.now } : {}) });
  a.get('/v1/leads/:leadId', (c) => c.json({ id: c.req.param('leadId') }));
  a.post('/v1/leads', (c) => c.json({}, 202));
  a.get('/v1/boom', () => {
    throw new Error('boom');
  });
  return { a, queries };
}

const scrape = async (a: OpenAPIHono<ApiEnv>, headers: Record<string, string> = {}) => {
  const res = await a.request('/metrics', { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};

describe('Prometheus registry', () => {
  it('renders counters and histograms in the text exposition format, labels escaped', () => {
    const r = new Registry();
    const c = r.register(new Counter('x_total', 'Things.\nMore.', ['path']));
    const h = r.register(new Histogram('lat_seconds', 'Latency.', ['route'], [0.1, 1]));
    c.inc({ path: 'a"b\\c\nd' });
    c.inc({ path: 'a"b\\c\nd' }, 2);
    h.observe({ route: '/x' }, 0.05);
    h.observe({ route: '/x' }, 0.5);
    h.observe({ route: '/x' }, 5);
    expect(r.render()).toBe(
      [
        '# HELP x_total Things.\\nMore.',
        '# TYPE x_total counter',
        'x_total{path="a\\"b\\\\c\\nd"} 3',
        '# HELP lat_seconds Latency.',
        '# TYPE lat_seconds histogram',
        'lat_seconds_bucket{route="/x",le="0.1"} 1',
        'lat_seconds_bucket{route="/x",le="1"} 2',
        'lat_seconds_bucket{route="/x",le="+Inf"} 3',
        'lat_seconds_sum{route="/x"} 5.55',
        'lat_seconds_count{route="/x"} 3',
        '',
      ].join('\n'),
    );
    expect(() => c.inc({}, -1)).toThrow();
  });
});

describe('API /metrics', () => {
  it('counts requests by route template and status, never by raw path', async () => {
    const { a } = app();
    await a.request('/v1/leads/abc');
    await a.request('/v1/leads/def');
    await a.request('/v1/leads', { method: 'POST' });
    await a.request('/v1/boom');
    await a.request('/nope/123');
    const { status, type, text } = await scrape(a);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('baton_http_requests_total{method="GET",route="/v1/leads/:leadId",status="200"} 2');
    expect(text).toContain('baton_http_requests_total{method="POST",route="/v1/leads",status="202"} 1');
    expect(text).toContain('baton_http_requests_total{method="GET",route="/v1/boom",status="500"} 1');
    expect(text).toContain('baton_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).not.toContain('abc');
    expect(text).toMatch(/baton_http_request_duration_seconds_bucket\{method="GET",route="\/v1\/leads\/:leadId",le="\+Inf"\} 2/);
    expect(text).toContain('baton_http_request_duration_seconds_count{method="POST",route="/v1/leads"} 1');
    expect(text).toContain('baton_http_requests_in_flight 1'); // the scrape itself
  });

  it('reports leads by stage from visibility, counted at most every 15 s', async () => {
    let now = 1_000_000;
    let counts: Record<string, number> | Error = { booked: 3, awaiting_reply: 2 };
    const { a, queries } = app({ now: () => now, counts: () => counts });
    let { text } = await scrape(a);
    expect(text).toContain('baton_leads{stage="booked"} 3');
    expect(text).toContain('baton_leads{stage="awaiting_reply"} 2');
    expect(text).toContain('baton_leads{stage="qualifying"} 0');
    expect(text).toContain('baton_leads_visibility_up 1');
    expect(queries).toHaveLength(LEAD_STAGES.length);
    expect(queries[0]).toBe('WorkflowType = "leadWorkflow" AND LeadStage = "qualifying"');

    counts = { booked: 4 };
    now += 5_000;
    ({ text } = await scrape(a));
    expect(queries).toHaveLength(LEAD_STAGES.length); // cached
    expect(text).toContain('baton_leads{stage="booked"} 3');

    now += 15_000;
    ({ text } = await scrape(a));
    expect(queries).toHaveLength(2 * LEAD_STAGES.length);
    expect(text).toContain('baton_leads{stage="booked"} 4');

    // Temporal unreachable: the last counts stay, and the failure shows.
    counts = new Error('unavailable');
    now += 15_000;
    ({ text } = await scrape(a));
    expect(text).toContain('baton_leads{stage="booked"} 4');
    expect(text).toContain('baton_leads_visibility_up 0');
  });

  it('needs an API key when the API has keys, like the ops routes', async () => {
    const { a } = app({ apiKeys: ['k-123456789'] });
    expect((await scrape(a)).status).toBe(401);
    expect((await scrape(a, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await scrape(a, { authorization: 'Bearer k-123456789' })).status).toBe(200);
  });
});
