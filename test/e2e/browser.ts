import { serve } from '@hono/node-server';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../helpers/paths';

/** Debian's Chromium (CI installs it); never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const SKIP_REASON = `browser tests skipped: ${CHROMIUM} is missing (apt-get update && apt-get install -y chromium)`;
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

/** Serves a fetch handler on 127.0.0.1 with a free port. */
export function listen(fetch: (req: Request) => Response | Promise<Response>): Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            (server as Server).closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Another site (another origin: `localhost` instead of `127.0.0.1`) that embeds the widget by script tag. */
export function hostSite(): Promise<{ origin: string; setPage: (html: string) => void; close: () => Promise<void> }> {
  let page = '<!doctype html><title>empty</title>';
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(req.url === '/' ? page : 'not found');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        origin: `http://localhost:${port}`,
        setPage: (html) => void (page = html),
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

export interface Browser {
  context: BrowserContext;
  /** Requests that tried to leave the allowed origins (the pages must work without internet). */
  external: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile that may only talk to `allowedOrigins`. */
export async function launchBrowser(allowedOrigins: string[], options: { timezoneId?: string } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'baton-chromium-'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 860 },
    locale: 'en-US',
    timezoneId: options.timezoneId ?? 'America/Los_Angeles',
  });
  const external: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (allowedOrigins.some((o) => url.startsWith(`${o}/`) || url === o)) return route.continue();
    external.push(url);
    return route.abort();
  });
  return {
    context,
    external,
    async newPage() {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
