import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TEST_TEAM = fileURLToPath(new URL('../fixtures/team.yaml', import.meta.url));
