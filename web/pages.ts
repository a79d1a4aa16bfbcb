/** The HTML shells of Baton's own pages; their behaviour lives in web/static/*.js (no framework, no CDN). */
import { MEETING_OUTCOMES } from '../domain/lead-stages';

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function layout(o: { title: string; current: 'home' | 'ops' | 'docs'; css?: string | string[]; body: string; scripts: string }): string {
  const link = (href: string, label: string, key: typeof o.current) =>
    `<a href="${href}"${o.current === key ? ' aria-current="page"' : ''}>${label}</a>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(o.title)}</title>
<link rel="stylesheet" href="/assets/base.css">
${[o.css ?? []].flat().map((css) => `<link rel="stylesheet" href="/assets/${css}">`).join('\n')}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <h1>Baton</h1>
  <nav aria-label="Baton pages">${link('/', 'Chat', 'home')}${link('/ops', 'Ops', 'ops')}${link('/docs', 'API docs', 'docs')}</nav>
</header>
<main id="main" tabindex="-1">
${o.body}
</main>
${o.scripts}
</body>
</html>
`;
}

/** The chat page: the embeddable widget, mounted by the same script tag other sites use. */
export function homePage(companyName: string, origin: string): string {
  return layout({
    title: `Talk to ${companyName} — Baton`,
    current: 'home',
    css: 'home.css',
    body: `<div class="home">
  <section class="intro">
    <h2>Talk to ${escape(companyName)}</h2>
    <p>Tell us a little about what you need. Our assistant finds the right person on the team and offers you times from their real calendars, so you can book a call in one click.</p>
    <details class="embed">
      <summary>Put this card on your own site</summary>
      <pre><code>&lt;script src="${escape(origin)}/widget.js" data-baton-api="${escape(origin)}"&gt;&lt;/script&gt;</code></pre>
      <p class="muted">and list the site's origin in <code>BATON_ALLOWED_ORIGINS</code>. Optional: <code>data-baton-target="#some-element"</code> mounts it there.</p>
    </details>
  </section>
  <div class="widget-slot" id="widget"></div>
</div>`,
    scripts: '<script src="/widget.js" data-baton-target="#widget"></script>',
  });
}

/**
 * The ops page's views, in tab order. ops.js runs the one tab mechanism (selection, arrow keys, the
 * address); each view with `assets` has its own script (`web/static/<asset>.js`, registered through
 * `window.BatonOps.tab`) and stylesheet. `hash` opens the tab from the address (`/ops#meetings?lead=…`).
 */
const OPS_VIEWS: { id: string; label: string; hash?: string; assets: string[] }[] = [
  { id: 'leads', label: 'Leads', assets: [] },
  { id: 'outbox', label: 'Outbox', hash: '#outbox', assets: [] },
  { id: 'meetings', label: 'Meetings', hash: '#meetings', assets: ['ops-meetings'] },
  { id: 'fairness', label: 'Fairness', hash: '#fairness', assets: ['ops-fairness'] },
];

function opsTab(view: (typeof OPS_VIEWS)[number], index: number): string {
  const selected = index === 0;
  return `<button type="button" role="tab" id="tab-${view.id}" aria-controls="panel-${view.id}" aria-selected="${selected}"${selected ? '' : ' tabindex="-1"'}${view.hash ? ` data-hash="${view.hash}"` : ''}>${escape(view.label)}</button>`;
}

export function opsPage(): string {
  return layout({
    title: 'Ops — Baton',
    current: 'ops',
    css: ['ops.css', ...OPS_VIEWS.flatMap((v) => v.assets.map((a) => `${a}.css`))],
    body: `<section id="auth" class="panel auth" aria-labelledby="auth-h" hidden>
  <h2 id="auth-h">Sign in to the ops view</h2>
  <p class="muted">The ops views need one of the server's API keys (<code>BATON_API_KEYS</code>). It is kept in this tab only.</p>
  <form id="auth-form">
    <div class="field"><label for="api-key">API key</label><input id="api-key" type="password" autocomplete="off" required></div>
    <button type="submit" class="primary">Open ops view</button>
  </form>
  <p id="auth-error" class="notice bad" role="alert" hidden></p>
</section>
<div id="app" hidden>
  <div class="toolbar">
    <div role="tablist" aria-label="Ops views">
      ${OPS_VIEWS.map(opsTab).join('\n      ')}
    </div>
    <div class="actions"><button type="button" id="refresh">Refresh</button> <button type="button" id="forget-key" hidden>Forget API key</button></div>
  </div>
  <section role="tabpanel" id="panel-leads" aria-labelledby="tab-leads">
    <h2 class="sr-only">Leads</h2>
    <ul class="counts" id="counts" aria-label="Leads by stage (select one to filter)"></ul>
    <form class="filters" id="filters" aria-label="Filter leads">
      <div class="field"><label for="f-stage">Stage</label><select id="f-stage"><option value="">All stages</option></select></div>
      <div class="field"><label for="f-rep">Rep</label><input id="f-rep" list="reps" placeholder="rep id, e.g. sarah" maxlength="100"><datalist id="reps"></datalist></div>
      <div class="check"><input type="checkbox" id="f-stuck"><label for="f-stuck">Stuck only</label></div>
      <button type="submit" class="primary">Apply</button>
      <button type="button" id="clear-filters">Clear</button>
    </form>
    <p id="leads-status" class="view-status" role="status" aria-live="polite"></p>
    <div class="table-wrap">
      <table id="leads-table">
        <caption class="sr-only">Leads, stuck ones first</caption>
        <thead><tr><th scope="col">Lead</th><th scope="col">Stage</th><th scope="col">Rep</th><th scope="col">Source / reason</th><th scope="col">Next deadline</th><th scope="col">Workflow</th></tr></thead>
        <tbody id="leads-body"></tbody>
      </table>
    </div>
  </section>
  <section role="tabpanel" id="panel-outbox" aria-labelledby="tab-outbox" hidden>
    <h2 class="sr-only">Outbox</h2>
    <p id="outbox-status" class="view-status" role="status" aria-live="polite"></p>
    <table id="outbox-table">
      <caption class="sr-only">Emails sent by the embedded outbox, newest first</caption>
      <thead><tr><th scope="col">Sent</th><th scope="col">To</th><th scope="col">Subject</th></tr></thead>
      <tbody id="outbox-body"></tbody>
    </table>
  </section>
${meetingsPanel()}
${fairnessPanel()}
</div>`,
    scripts: ['ops', ...OPS_VIEWS.flatMap((v) => v.assets)].map((a) => `<script src="/assets/${a}.js"></script>`).join('\n'),
  });
}

// ── Ops: meetings (web/static/ops-meetings.js, ops-meetings.css) ───────────────────────────

/** How a meeting's outcome reads on the page. */
const OUTCOME_LABELS: Record<(typeof MEETING_OUTCOMES)[number], string> = {
  scheduled: 'scheduled',
  unconfirmed: 'unconfirmed (nobody said yet)',
  held: 'held',
  no_show: 'no-show',
  rep_no_show: 'rep no-show',
  canceled: 'canceled',
};

/** Upcoming and recent meetings from `GET /v1/ops/meetings`, with outcome buttons and the no-show rate per rep. */
function meetingsPanel(): string {
  const outcomes = MEETING_OUTCOMES.map((o) => `<option value="${o}">${escape(OUTCOME_LABELS[o])}</option>`).join('');
  return `  <section role="tabpanel" id="panel-meetings" aria-labelledby="tab-meetings" hidden>
    <h2 class="sr-only">Meetings</h2>
    <section id="meeting-focus" class="meeting-focus" aria-labelledby="meeting-focus-h" tabindex="-1" hidden></section>
    <form class="filters" id="m-filters" aria-label="Filter meetings">
      <div class="field"><label for="m-window">When</label><select id="m-window">
        <option value="default">Last 24 h to next 7 days</option>
        <option value="next24">Next 24 hours</option>
        <option value="past7">Last 7 days</option>
        <option value="next30">Next 30 days</option>
      </select></div>
      <div class="field"><label for="m-outcome">Outcome</label><select id="m-outcome"><option value="">Any outcome</option>${outcomes}</select></div>
      <div class="field"><label for="m-rep">Rep</label><input id="m-rep" list="m-reps" placeholder="rep id, e.g. sarah" maxlength="100"><datalist id="m-reps"></datalist></div>
      <button type="submit" class="primary">Apply</button>
      <button type="button" id="m-clear">Clear</button>
    </form>
    <p id="meetings-status" class="view-status" role="status" aria-live="polite"></p>
    <div class="table-wrap">
      <table id="meetings-table">
        <caption class="sr-only">Meetings by start time; outcomes can be recorded once a meeting has started</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Lead</th><th scope="col">Rep</th><th scope="col">Stage</th><th scope="col">Outcome</th><th scope="col">Record outcome</th><th scope="col">Workflow</th></tr></thead>
        <tbody id="meetings-body"></tbody>
      </table>
    </div>
    <h3 id="rates-h" class="rates-h">No-show rate per rep</h3>
    <p class="muted small" id="rates-about">Over the meetings listed above whose outcome is known: no-shows ÷ (held + no-shows). A rep's own no-show is not counted against the buyer.</p>
    <table id="rates-table" class="rates" aria-labelledby="rates-h" aria-describedby="rates-about">
      <thead><tr><th scope="col">Rep</th><th scope="col">Held or no-show</th><th scope="col">No-shows</th><th scope="col">No-show rate</th></tr></thead>
      <tbody id="rates-body"></tbody>
    </table>
  </section>`;
}

// ── Ops: fairness (web/static/ops-fairness.js, ops-fairness.css) ───────────────────────────

/** Each pool's leads this window against the weighted share, from `GET /v1/ops/fairness`. */
function fairnessPanel(): string {
  return `  <section role="tabpanel" id="panel-fairness" aria-labelledby="tab-fairness" hidden>
    <h2 class="sr-only">Fairness</h2>
    <p id="fairness-status" class="view-status" role="status" aria-live="polite"></p>
    <p class="muted small legend"><span class="swatch fill"></span> leads this window <span class="swatch mark"></span> weighted share (the bar should end near the line)</p>
    <div id="fairness-pools"></div>
  </section>`;
}

export function docsPage(): string {
  return layout({
    title: 'API docs — Baton',
    current: 'docs',
    css: 'docs.css',
    body: `<div class="intro-docs">
  <h2 id="api-title">Baton API</h2>
  <p id="api-desc" class="muted"></p>
  <p id="docs-status" role="status">Loading <a href="/openapi.json">/openapi.json</a>…</p>
</div>
<div class="layout">
  <nav class="toc" aria-label="Routes"><h2>Routes</h2><ol id="toc"></ol><p class="small"><a href="/openapi.json">openapi.json</a></p></nav>
  <div id="routes"></div>
</div>`,
    scripts: '<script src="/assets/docs.js"></script>',
  });
}
