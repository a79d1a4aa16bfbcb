/** The HTML shells of Baton's own pages; their behaviour lives in web/static/*.js (no framework, no CDN). */

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function layout(o: { title: string; current: 'home' | 'ops' | 'docs'; css?: string; body: string; scripts: string }): string {
  const link = (href: string, label: string, key: typeof o.current) =>
    `<a href="${href}"${o.current === key ? ' aria-current="page"' : ''}>${label}</a>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(o.title)}</title>
<link rel="stylesheet" href="/assets/base.css">
${o.css ? `<link rel="stylesheet" href="/assets/${o.css}">` : ''}
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

export function opsPage(): string {
  return layout({
    title: 'Ops — Baton',
    current: 'ops',
    css: 'ops.css',
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
      <button type="button" role="tab" id="tab-leads" aria-controls="panel-leads" aria-selected="true">Leads</button>
      <button type="button" role="tab" id="tab-outbox" aria-controls="panel-outbox" aria-selected="false" tabindex="-1">Outbox</button>
      <button type="button" role="tab" id="tab-fairness" aria-controls="panel-fairness" aria-selected="false" tabindex="-1">Fairness</button>
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
    <p id="leads-status" role="status" aria-live="polite"></p>
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
    <p id="outbox-status" role="status" aria-live="polite"></p>
    <table id="outbox-table">
      <caption class="sr-only">Emails sent by the embedded outbox, newest first</caption>
      <thead><tr><th scope="col">Sent</th><th scope="col">To</th><th scope="col">Subject</th></tr></thead>
      <tbody id="outbox-body"></tbody>
    </table>
  </section>
  <section role="tabpanel" id="panel-fairness" aria-labelledby="tab-fairness" hidden>
    <h2 class="sr-only">Fairness</h2>
    <p id="fairness-status" role="status" aria-live="polite"></p>
    <p class="muted small legend"><span class="swatch fill"></span> leads this window <span class="swatch mark"></span> weighted share (the bar should end near the line)</p>
    <div id="fairness-pools"></div>
  </section>
</div>`,
    scripts: '<script src="/assets/ops.js"></script>',
  });
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
