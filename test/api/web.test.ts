/**
 * The pages the API serves: chat widget, ops page and docs are self-contained (no CDN, no framework),
 * with the right content types and a strict Content-Security-Policy. No Temporal needed.
 */
import { describe, expect, it } from 'vitest';
import { offlineApp } from './api-helpers';

/** Every absolute URL a page or asset loads (comments aside); only same-origin paths are allowed. */
const externalUrls = (text: string, self = 'http://baton.test') =>
  [...text.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/(?:src|href)\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)|url\(\s*["']?((?:https?:)?\/\/[^)"']+)|@import\s+["']((?:https?:)?\/\/[^"']+)|fetch\(\s*["'`]((?:https?:)?\/\/[^"'`]+)/gi)]
    .map((m) => m[1] ?? m[2] ?? m[3] ?? m[4])
    .filter((url): url is string => !!url && !url.startsWith(`${self}/`));

describe('web pages', () => {
  it('serves the chat page, with the widget mounted by its own script tag', async () => {
    const app = await offlineApp();
    const res = await app.request('http://baton.test/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    const html = await res.text();
    expect(html).toContain('<script src="/widget.js" data-baton-target="#widget"></script>');
    expect(html).toContain('Talk to Acme');
    // The embed snippet names this server's own origin.
    expect(html).toContain('src="http://baton.test/widget.js" data-baton-api="http://baton.test"');
    expect(externalUrls(html)).toEqual([]);
  });

  it('serves widget.js as a cross-origin-loadable script with no dependencies', async () => {
    const app = await offlineApp();
    const res = await app.request('/widget.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const js = await res.text();
    expect(js).toContain('data-baton-api');
    expect(js).toContain('sessionStorage');
    expect(js).toContain("role=\"log\" aria-live=\"polite\"");
    expect(js).not.toMatch(/\bimport\s*\(|\brequire\(|\.innerHTML\s*=\s*(?!\s*'<h2)/); // no modules; only the static card markup uses innerHTML
    expect(externalUrls(js)).toEqual([]);
    expect(() => new Function(js)).not.toThrow(); // plain script syntax
  });

  it('serves the ops page and the docs page with local assets only', async () => {
    const app = await offlineApp();
    for (const path of ['/ops', '/docs']) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await res.text();
      expect(externalUrls(html)).toEqual([]);
      expect(html).not.toMatch(/cdn|unpkg|jsdelivr|swagger/i);
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      expect(assets.length).toBeGreaterThanOrEqual(2);
      for (const asset of assets) {
        const a = await app.request(asset);
        expect(a.status, asset).toBe(200);
        expect(a.headers.get('content-type')).toMatch(asset.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
        const body = await a.text();
        expect(externalUrls(body), asset).toEqual([]);
        if (asset.endsWith('.js')) expect(() => new Function(body)).not.toThrow();
      }
    }
    expect(await (await app.request('/docs')).text()).toContain('/assets/docs.js');
  });

  it('the ops page works with an API key or, in demo mode, without', async () => {
    const html = await (await (await offlineApp()).request('/ops')).text();
    expect(html).toMatch(/<label for="api-key">API key<\/label>/);
    const js = await (await (await offlineApp()).request('/assets/ops.js')).text();
    expect(js).toContain("sessionStorage.getItem(KEY)");
    expect(js).toContain('/v1/ops/leads');
    expect(js).toContain('/v1/ops/outbox');
  });
});
