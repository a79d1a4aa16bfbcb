/**
 * A provider's SDK, loaded when the first provider that needs it is built: a worker or API on the
 * embedded providers never loads googleapis, HubSpot's, SendGrid's or OpenAI's clients, some 30 MB
 * of each process's memory (bench/README.md, "Speed at scale"). The provider modules take the SDKs'
 * types with `import type`, which costs nothing at run time. The four are CommonJS packages, so a
 * synchronous require serves and provider construction stays synchronous.
 */
import { createRequire } from 'node:module';

const requireSdk = createRequire(import.meta.url);

export function loadSdk<T>(id: string): T {
  return requireSdk(id) as T;
}
