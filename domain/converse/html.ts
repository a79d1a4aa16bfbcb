/**
 * Text made safe inside HTML, for the emails' HTML parts. A module of its own because the lead
 * workflow imports the after-booking wording (after-booking.ts): had it come from briefing.ts, the
 * workflow bundle would carry the whole qualify domain (zod, the city and country data) into every
 * lead's sandbox, about 3 MiB more evaluated and kept per cached lead.
 */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
