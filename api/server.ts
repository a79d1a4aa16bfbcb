/**
 * `npm run api`: the HTTP API alone, against TEMPORAL_ADDRESS, so API processes scale apart from
 * workers. On SIGTERM/SIGINT it stops accepting connections, lets in-flight requests finish (up to
 * BATON_SHUTDOWN_GRACE_SECONDS), closes its Temporal connection and exits (runtime/boot.ts).
 */
import { boot, runEntryPoint } from '../runtime/boot';
import { isEntryPoint } from '../runtime/signals';

if (isEntryPoint(import.meta.url)) runEntryPoint('baton api', () => boot({ worker: false, api: true, devServer: false }));
