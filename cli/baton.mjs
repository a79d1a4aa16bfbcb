#!/usr/bin/env node
// `npx baton …`: runs the TypeScript CLI through tsx, on the Node 24 that npm puts first on PATH.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
