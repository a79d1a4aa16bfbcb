import { leadWorkflowId, normalizeEmail } from './lead';

/**
 * A lead is one run of the workflow `lead-<email>`: the same buyer can come back after a lead
 * closed and get a new lead, so the id names the run too. Opaque to clients, URL-safe.
 */
export function encodeLeadId(email: string, runId: string): string {
  return `${Buffer.from(normalizeEmail(email)).toString('base64url')}.${runId}`;
}

export function decodeLeadId(leadId: string): { workflowId: string; runId: string } | null {
  const [encoded, runId, extra] = leadId.split('.');
  if (!encoded || !runId || extra !== undefined || !/^[0-9a-f-]{36}$/i.test(runId)) return null;
  const email = Buffer.from(encoded, 'base64url').toString('utf8');
  if (!email.includes('@') || normalizeEmail(email) !== email) return null;
  return { workflowId: leadWorkflowId(email), runId };
}
