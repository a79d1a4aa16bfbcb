/**
 * GET /v1/ops/meetings: the window of meeting times. Any one bound the document allows is a window
 * (Schemathesis sent `?to=2000-01-01T00:00:00Z` and got a 400 for a request its schema accepts);
 * only two bounds in the wrong order are the caller's mistake, and the document says so.
 */
import { describe, expect, it } from 'vitest';
import { meetingsQuery, meetingsWindow } from '../../api/meetings';
import { ApiError } from '../../api/errors';
import { API_KEY, bearer, expectError, offlineApp } from './api-helpers';

const DAY = 86_400_000;
const now = Date.parse('2026-06-15T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('the window of GET /v1/ops/meetings', () => {
  it('defaults to 24 h ago until 7 days ahead, and keeps each default when the other bound allows it', () => {
    expect(meetingsWindow({}, now)).toEqual({ from: new Date(now - DAY), to: new Date(now + 7 * DAY) });
    expect(meetingsWindow({ from: iso(now - 30 * DAY) }, now)).toEqual({ from: new Date(now - 30 * DAY), to: new Date(now + 7 * DAY) });
    expect(meetingsWindow({ to: iso(now + 30 * DAY) }, now)).toEqual({ from: new Date(now - DAY), to: new Date(now + 30 * DAY) });
  });

  it('with only `to` before the default start, ends at `to` and spans the default 8 days', () => {
    const to = Date.parse('2000-01-01T00:00:00Z');
    expect(meetingsWindow({ to: iso(to) }, now)).toEqual({ from: new Date(to - 8 * DAY), to: new Date(to) });
    // `to` exactly at the default start is still a window, not an empty one.
    expect(meetingsWindow({ to: iso(now - DAY) }, now)).toEqual({ from: new Date(now - 9 * DAY), to: new Date(now - DAY) });
  });

  it('with only `from` after the default end, starts at `from` and spans the default 8 days', () => {
    const from = Date.parse('2099-12-31T23:59:59Z');
    expect(meetingsWindow({ from: iso(from) }, now)).toEqual({ from: new Date(from), to: new Date(from + 8 * DAY) });
  });

  it('reads offsets, and never makes an empty window from one bound', () => {
    for (const bound of ['1970-01-01T00:00:00Z', '2026-06-14T12:00:00+02:00', '2026-06-22T12:00:00-05:00', '9999-12-31T23:59:59Z']) {
      for (const q of [{ from: bound }, { to: bound }]) {
        const w = meetingsWindow(q, now);
        expect(w.from.getTime(), JSON.stringify(q)).toBeLessThan(w.to.getTime());
      }
    }
  });

  it('refuses `from` not before `to` with 400, naming both', () => {
    for (const q of [{ from: '2026-06-16T00:00:00Z', to: '2026-06-15T00:00:00Z' }, { from: '2026-06-15T00:00:00Z', to: '2026-06-15T02:00:00+02:00' }]) {
      let caught: unknown;
      try {
        meetingsWindow(q, now);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ApiError);
      expect(caught).toMatchObject({ status: 400, code: 'invalid_input', message: '`from` must be before `to`', details: q });
    }
  });

  it('is the visibility query\'s window', () => {
    const w = meetingsWindow({ to: '2000-01-01T00:00:00Z' }, now);
    expect(meetingsQuery(w)).toBe('WorkflowType = "leadWorkflow" AND MeetingAt >= "1999-12-24T00:00:00.000Z" AND MeetingAt < "2000-01-01T00:00:00.000Z"');
  });
});

describe('GET /v1/ops/meetings over HTTP', () => {
  it('takes `to` alone, however early, to Temporal (503 here, with no server), and answers reversed bounds 400', async () => {
    const app = await offlineApp();
    const auth = { headers: bearer(API_KEY) };
    await expectError(await app.request('/v1/ops/meetings?to=2000-01-01T00:00:00Z', auth), 503, 'temporal_unavailable');
    await expectError(await app.request('/v1/ops/meetings?from=2099-01-01T00:00:00Z', auth), 503, 'temporal_unavailable');
    const reversed = await expectError(await app.request('/v1/ops/meetings?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', auth), 400, 'invalid_input');
    expect(reversed.error.message).toBe('`from` must be before `to`');
  });

  it('documents the 400 and the defaults', async () => {
    const app = await offlineApp();
    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, { get: { responses: Record<string, { description: string }>; parameters: { name: string; description: string }[] } }>;
    };
    const op = doc.paths['/v1/ops/meetings']!.get;
    expect(op.responses['400']!.description).toMatch(/`from` not before `to`/);
    const from = op.parameters.find((p) => p.name === 'from')!;
    expect(from.description).toMatch(/8 days before `to`/);
    expect(from.description).toMatch(/before `to` \(400 otherwise\)/);
  });
});
