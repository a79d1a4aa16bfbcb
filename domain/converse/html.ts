/**
 * HTML escaping for the emails Baton writes. Its own module so that the workflow's copy (the
 * after-booking messages) does not import the briefing, and with it the fact extractor and its
 * city data: every lead's workflow evaluates what the bundle holds (test/infra/workflow-bundle.test.ts).
 */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
