#!/usr/bin/env node
// Container health check without curl: `node deploy/healthcheck.mjs URL [TEXT]` exits 0 when URL
// answers 2xx within 4 s (and its body contains TEXT, if given), 1 otherwise.
// API:    node deploy/healthcheck.mjs http://127.0.0.1:3000/healthz
// Worker: node deploy/healthcheck.mjs http://127.0.0.1:9464/metrics temporal_worker_start
const [url, text] = process.argv.slice(2);
if (!url) {
  console.error('usage: healthcheck.mjs URL [TEXT]');
  process.exit(2);
}
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4_000) });
  const body = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  if (text && !body.includes(text)) throw new Error(`"${text}" not in the response`);
  process.exit(0);
} catch (err) {
  console.error(`unhealthy: ${url}: ${err.message}`);
  process.exit(1);
}
