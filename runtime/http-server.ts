import { serve } from '@hono/node-server';
import type { Server } from 'node:http';

export interface GracefulServer {
  server: Server;
  /** True once `close` was called: health checks answer 503 so load balancers stop sending traffic. */
  readonly draining: boolean;
  /** Stops accepting connections, lets in-flight requests finish for up to `graceMs`, then cuts the rest (SSE streams). Idempotent. */
  close(graceMs: number): Promise<void>;
}

/**
 * Serves a fetch handler on host:port and resolves once listening. While draining, GET /healthz
 * answers 503 without touching the app, so an orchestrator's probe fails fast.
 */
export function serveGracefully(
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>,
  o: { port: number; hostname: string; healthPath?: string },
): Promise<GracefulServer> {
  let draining = false;
  let closing: Promise<void> | undefined;
  const healthPath = o.healthPath ?? '/healthz';
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: (request: Request, env?: unknown) => {
          if (draining && new URL(request.url).pathname === healthPath) {
            return new Response(JSON.stringify({ ok: false, draining: true }), { status: 503, headers: { 'content-type': 'application/json', connection: 'close' } });
          }
          return fetch(request, env);
        },
        port: o.port,
        hostname: o.hostname,
      },
      () => {
        server.off('error', reject);
        resolve({
          server,
          get draining() {
            return draining;
          },
          close(graceMs: number) {
            draining = true;
            return (closing ??= new Promise<void>((done) => {
              const timer = setTimeout(() => {
                server.closeAllConnections();
              }, graceMs);
              timer.unref();
              server.close(() => {
                clearTimeout(timer);
                done();
              });
              // Idle keep-alive sockets would otherwise hold close() open until they time out.
              server.closeIdleConnections();
            }));
          },
        });
      },
    ) as Server;
    server.once('error', reject);
  });
}
