/** Logs never carry a buyer's email, whichever field or message it hides in (runtime/log.ts). */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { encodeLeadId } from '../../domain/qualify/lead-id';
import { createLogger, emailRef } from '../../runtime/log';

function capture() {
  const lines: string[] = [];
  const out = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  return { log: createLogger(out, 'info'), text: () => lines.join('') };
}

describe('log redaction', () => {
  const email = 'jane.park@mercyhealth.org';
  const leadId = encodeLeadId(email, '01a233c4-fb61-78d1-94fa-cd9fb6b3520a');

  it('hashes emails in workflow ids, lead ids, paths, messages and errors, keeping a short reference ops can compute', async () => {
    const { log, text } = capture();
    log.info({ workflowId: `lead-${email}`, task: 'extract_facts' }, 'llm usage');
    log.warn({ leadId, err: 'boom' }, 'event stream ended on an error');
    log.error({ err: new Error(`Workflow not found: lead-${email}`), path: `/v1/leads/${leadId}` }, 'unhandled API error');
    log.info(`intro email sent to ${email}`);
    const out = text();
    expect(out).not.toContain(email);
    expect(out).not.toContain(leadId.split('.')[0]);
    const ref = emailRef(email);
    expect(ref).toMatch(/^#[0-9a-f]{12}$/);
    expect(out).toContain(`lead-${ref}`);
    expect(out).toContain(`${ref}.01a233c4-fb61-78d1-94fa-cd9fb6b3520a`);
    expect(out).toContain('Workflow not found');
    // What ops type to find a lead's lines: the same hash of the address.
    expect(emailRef('  Jane.Park@MercyHealth.org ')).toBe(ref);
  });

  it('leaves other fields alone', () => {
    const { log, text } = capture();
    log.info({ taskQueue: 'baton-leads', port: 3000 }, 'API listening');
    expect(JSON.parse(text())).toMatchObject({ taskQueue: 'baton-leads', port: 3000, msg: 'API listening' });
  });
});
