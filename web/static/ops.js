/*
 * Baton ops page: counts by stage, leads from Temporal visibility (stuck ones first) with a link to
 * each workflow in the Temporal UI, and the embedded email outbox. Plain JS, no dependencies.
 * This file owns the one tab mechanism; the other views (ops-meetings.js, ops-fairness.js) plug in
 * through `window.BatonOps`: its helpers, and `tab(id, load)`.
 */
(function () {
  'use strict';

  var KEY = 'baton:ops:key';
  var STAGES = ['needs_attention', 'qualifying', 'routing', 'proposing', 'awaiting_reply', 'booking', 'booked', 'rescheduling', 'no_show', 'held', 'canceled', 'unresponsive', 'disqualified', 'declined'];
  var $ = function (id) { return document.getElementById(id); };
  var dateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  var relative = typeof Intl.RelativeTimeFormat === 'function' ? new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }) : null;

  var key = sessionStorage.getItem(KEY) || '';
  var reasons = {}; // leadId -> routing details, fetched once when a row is opened
  var open = {}; // leadId -> details open, kept across refreshes
  var refreshTimer = null;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) {
      if (attrs[k] === false || attrs[k] == null) continue;
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'class') node.className = attrs[k];
      else node.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    }
    (children || []).forEach(function (c) { if (c != null) node.append(c); });
    return node;
  }
  var label = function (stage) { return stage.replace(/_/g, ' '); };

  /** `init`: `{ method, body }` (a JSON body). Resolves to `{ status, data }`; rejects when the API is unreachable. */
  function call(path, init) {
    init = init || {};
    var headers = { Accept: 'application/json' };
    if (key) headers.Authorization = 'Bearer ' + key;
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(path, { method: init.method || 'GET', headers: headers, body: init.body !== undefined ? JSON.stringify(init.body) : undefined }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) { return { status: res.status, data: data }; });
    });
  }

  /** After an answer from an ops route: on 401 asks for the key (false); otherwise shows the views. */
  function admitted(r, fromKeyForm) {
    if (r.status === 401) {
      askForKey(fromKeyForm || key ? 'That API key was not accepted.' : '');
      return false;
    }
    $('auth').hidden = true;
    $('app').hidden = false;
    $('forget-key').hidden = !key;
    if (fromKeyForm) currentTab().focus();
    return true;
  }

  // ── API key ─────────────────────────────────────────────────────────────
  function askForKey(message) {
    $('auth').hidden = false;
    $('app').hidden = true;
    $('auth-error').textContent = message || '';
    $('auth-error').hidden = !message;
    $('api-key').focus();
  }
  $('auth-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    key = $('api-key').value.trim();
    if (key) sessionStorage.setItem(KEY, key);
    $('api-key').value = '';
    select(currentTab(), false, true);
  });
  $('forget-key').addEventListener('click', function () {
    sessionStorage.removeItem(KEY);
    key = '';
    askForKey('');
  });

  // ── Filters (kept in the URL, so a view can be shared) ───────────────────
  var params = new URLSearchParams(location.search);
  var stageSelect = $('f-stage');
  STAGES.forEach(function (s) { stageSelect.append(el('option', { value: s, text: label(s) })); });
  stageSelect.value = params.get('stage') || '';
  $('f-rep').value = params.get('rep') || '';
  $('f-stuck').checked = params.get('stuck') === 'true';

  function filters() {
    var q = new URLSearchParams();
    if (stageSelect.value) q.set('stage', stageSelect.value);
    if ($('f-rep').value.trim()) q.set('rep', $('f-rep').value.trim());
    if ($('f-stuck').checked) q.set('stuck', 'true');
    return q;
  }
  function applyFilters() {
    var q = filters();
    history.replaceState(null, '', location.pathname + (q.toString() ? '?' + q : '') + location.hash);
    loadLeads(false);
  }
  $('filters').addEventListener('submit', function (ev) { ev.preventDefault(); applyFilters(); });
  stageSelect.addEventListener('change', applyFilters);
  $('f-stuck').addEventListener('change', applyFilters);
  $('f-rep').addEventListener('change', applyFilters);
  $('clear-filters').addEventListener('click', function () {
    stageSelect.value = '';
    $('f-rep').value = '';
    $('f-stuck').checked = false;
    applyFilters();
  });
  $('refresh').addEventListener('click', function () { select(currentTab(), false, false); });

  // ── Leads ───────────────────────────────────────────────────────────────
  function loadLeads(fromKeyForm) {
    $('leads-status').textContent = 'Loading…';
    call('/v1/ops/leads?' + filters()).then(function (r) {
      if (!admitted(r, fromKeyForm)) return;
      if (r.status !== 200) {
        $('leads-status').textContent = (r.data.error && r.data.error.message) || 'Could not load leads (' + r.status + ').';
        return;
      }
      renderCounts(r.data.counts);
      renderLeads(r.data.leads);
      var stuck = r.data.leads.filter(function (l) { return l.stuck; }).length;
      $('leads-status').textContent =
        r.data.leads.length + (r.data.leads.length === 1 ? ' lead' : ' leads') + (stuck ? ', ' + stuck + ' stuck (listed first)' : '') +
        ' · updated ' + new Date().toLocaleTimeString();
      schedule();
    }, function () {
      $('leads-status').textContent = 'Could not reach the Baton API.';
      schedule();
    });
  }

  function schedule() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      // Never re-render under someone working in the table or the filters: they would lose their place.
      var busy = $('panel-leads').contains(document.activeElement) && document.activeElement !== document.body;
      if (document.visibilityState === 'visible' && !$('app').hidden && !$('panel-leads').hidden && !busy) loadLeads(false);
      else schedule();
    }, 15000);
  }

  function renderCounts(counts) {
    var list = $('counts');
    list.textContent = '';
    STAGES.forEach(function (s) {
      var n = counts[s] || 0;
      var button = el('button', { type: 'button', class: 'count stage-' + s + (n && s === 'needs_attention' ? ' alert' : ''), 'aria-pressed': String(stageSelect.value === s) }, [
        el('span', { class: 'n', text: String(n) }),
        el('span', { class: 'l', text: label(s) }),
      ]);
      button.addEventListener('click', function () {
        stageSelect.value = stageSelect.value === s ? '' : s;
        applyFilters();
      });
      list.append(el('li', {}, [button]));
    });
  }

  function deadlineCell(iso, stuck) {
    if (!iso) return el('td', { class: 'muted', text: '—' });
    var at = new Date(iso);
    var mins = Math.round((at.getTime() - Date.now()) / 60000);
    var rel = '';
    if (relative) {
      rel = Math.abs(mins) < 90 ? relative.format(mins, 'minute') : Math.abs(mins) < 48 * 60 ? relative.format(Math.round(mins / 60), 'hour') : relative.format(Math.round(mins / 1440), 'day');
    }
    return el('td', { class: mins < 0 ? 'overdue' : '' }, [
      el('time', { datetime: iso, text: dateFormat.format(at) }),
      rel ? el('span', { class: 'rel', text: ' (' + rel + ')' }) : null,
      mins < 0 && stuck ? el('span', { class: 'sr-only', text: ' past deadline' }) : null,
    ]);
  }

  function renderLeads(leads) {
    var body = $('leads-body');
    body.textContent = '';
    var reps = {};
    if (!leads.length) {
      body.append(el('tr', {}, [el('td', { colspan: '6', class: 'empty', text: 'No leads match these filters.' })]));
    }
    leads.forEach(function (l) {
      if (l.rep) reps[l.rep] = true;
      var who = l.name || l.email;
      var details = el('details', { class: 'why', 'data-lead-id': l.leadId }, [
        el('summary', {}, [
          el('span', { text: l.source ? 'by ' + l.source : 'not routed yet' }),
          l.pool ? el('span', { class: 'muted', text: ' · ' + l.pool }) : null,
          el('span', { class: 'sr-only', text: ', routing details for ' + who }),
        ]),
        el('div', { class: 'reason', 'aria-live': 'polite' }),
      ]);
      details.open = !!open[l.leadId];
      details.addEventListener('toggle', function () {
        open[l.leadId] = details.open;
        if (details.open) explain(l, details.querySelector('.reason'));
      });
      if (details.open) explain(l, details.querySelector('.reason'));
      var row = el('tr', { class: l.stuck ? 'stuck' : '', 'data-lead-id': l.leadId, 'data-stage': l.stage }, [
        el('td', {}, [
          el('div', { class: 'who', text: who }),
          el('div', { class: 'muted small', text: [l.company, l.name ? l.email : null].filter(Boolean).join(' · ') }),
        ]),
        el('td', {}, [
          el('span', { class: 'badge stage-' + l.stage, text: label(l.stage) }),
          l.stuck ? el('span', { class: 'flag', text: l.stage === 'needs_attention' ? 'stuck' : 'overdue' }) : null,
        ]),
        el('td', { text: l.rep || '—' }),
        el('td', {}, [details]),
        deadlineCell(l.nextDeadline, l.stuck),
        el('td', {}, [
          l.temporalUiUrl
            ? el('a', { href: l.temporalUiUrl, target: '_blank', rel: 'noopener', class: 'wf' }, [
                document.createTextNode('Open in Temporal UI'),
                el('span', { class: 'sr-only', text: ' for ' + who + ' (opens in a new tab)' }),
              ])
            : el('code', { class: 'small', text: l.workflowId }),
        ]),
      ]);
      body.append(row);
    });
    var datalist = $('reps');
    datalist.textContent = '';
    Object.keys(reps).sort().forEach(function (r) { datalist.append(el('option', { value: r })); });
  }

  /** Routing details come from the lead itself (a workflow query), fetched only when asked for. */
  function explain(l, box) {
    if (reasons[l.leadId]) return show(reasons[l.leadId]);
    box.textContent = 'Loading…';
    call('/v1/leads/' + encodeURIComponent(l.leadId)).then(function (r) {
      if (r.status !== 200) {
        box.textContent = (r.data.error && r.data.error.message) || 'Could not load (' + r.status + ').';
        return;
      }
      reasons[l.leadId] = r.data;
      show(r.data);
    }, function () { box.textContent = 'Could not reach the Baton API.'; });
    function show(view) {
      box.textContent = '';
      var route = view.route || {};
      var items = [];
      if (view.attention) items.push(['Needs attention', view.attention.reason + ' (waiting for ' + view.attention.waitingFor + ')']);
      if (route.rule && route.rule.text) items.push(['Rule ' + (route.rule.index + 1), route.rule.text]);
      if (route.reasoning) items.push(['Why', route.reasoning]);
      if (route.escalated && route.escalated.length) {
        items.push(['Covered', route.escalated.map(function (e) { return e.from + ' → ' + e.to + ' (' + e.reason + ')'; }).join(', ')]);
      }
      if (view.booking) items.push(['Booked', dateFormat.format(new Date(view.booking.start)) + ' with ' + view.booking.attendees.join(', ')]);
      if (view.closedReason) items.push(['Closed', view.closedReason]);
      if (!items.length) items.push(['Status', 'not routed yet']);
      var dl = el('dl');
      items.forEach(function (i) { dl.append(el('dt', { text: i[0] }), el('dd', { text: i[1] })); });
      box.append(dl);
    }
  }

  // ── Outbox ──────────────────────────────────────────────────────────────
  function loadOutbox(fromKeyForm) {
    var status = $('outbox-status');
    status.textContent = 'Loading…';
    call('/v1/ops/outbox').then(function (r) {
      var body = $('outbox-body');
      body.textContent = '';
      if (!admitted(r, fromKeyForm)) return;
      if (r.status === 404) {
        $('outbox-table').hidden = true;
        status.textContent = 'A real email provider is configured: sent emails are in its own dashboard, not here.';
        return;
      }
      if (r.status !== 200) {
        status.textContent = (r.data.error && r.data.error.message) || 'Could not load the outbox (' + r.status + ').';
        return;
      }
      $('outbox-table').hidden = false;
      status.textContent = r.data.emails.length + ' emails, newest first (embedded outbox: nothing was delivered).';
      r.data.emails.forEach(function (m) {
        body.append(el('tr', {}, [
          el('td', {}, [el('time', { datetime: m.sentAt, text: dateFormat.format(new Date(m.sentAt)) })]),
          el('td', { text: m.to.map(function (p) { return p.name ? p.name + ' <' + p.email + '>' : p.email; }).join(', ') }),
          el('td', {}, [el('details', {}, [el('summary', { text: m.subject }), el('pre', { class: 'mail', text: m.text })])]),
        ]));
      });
    }, function () { status.textContent = 'Could not reach the Baton API.'; });
  }

  // ── Tabs (arrow keys move between them, as the ARIA pattern says) ─────────
  // Each tab's view loads itself when selected: `loaders[tab id](fromKeyForm)`. A tab's
  // `data-hash` is the address fragment that opens it (`/ops#outbox`, `/ops#meetings?lead=…`).
  var loaders = { 'tab-leads': loadLeads, 'tab-outbox': loadOutbox };
  function tabs() { return Array.prototype.slice.call(document.querySelectorAll('[role=tab]')); }
  function currentTab() {
    return tabs().filter(function (t) { return t.getAttribute('aria-selected') === 'true'; })[0] || tabs()[0];
  }
  function select(tab, focus, fromKeyForm) {
    tabs().forEach(function (t) {
      var on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute('aria-controls')).hidden = !on;
    });
    if (focus) tab.focus();
    (loaders[tab.id] || function () {})(!!fromKeyForm);
  }
  /** A tab chosen by hand: the address says which, so a reload or a shared link opens it. */
  function choose(tab, focus) {
    var hash = tab.getAttribute('data-hash') || '';
    if (location.hash.split('?')[0] !== hash) history.replaceState(null, '', location.pathname + location.search + hash);
    select(tab, focus, false);
  }
  document.querySelector('[role=tablist]').addEventListener('click', function (ev) {
    var tab = ev.target.closest('[role=tab]');
    if (tab) choose(tab, false);
  });
  document.querySelector('[role=tablist]').addEventListener('keydown', function (ev) {
    var all = tabs();
    var i = all.indexOf(ev.target);
    if (i < 0) return;
    var next = ev.key === 'ArrowRight' ? all[(i + 1) % all.length] : ev.key === 'ArrowLeft' ? all[(i + all.length - 1) % all.length] : null;
    if (next) { ev.preventDefault(); choose(next, true); }
  });

  window.BatonOps = {
    call: call,
    admitted: admitted,
    el: el,
    label: label,
    dateFormat: dateFormat,
    relative: relative,
    /** Registers the view of a tab (`load(fromKeyForm)`), before the page has started. */
    tab: function (id, load) { loaders[id] = load; },
  };

  // Scripts of other views run after this one: start once they have registered.
  function start() {
    var hash = location.hash.split('?')[0];
    var opened = tabs().filter(function (t) { return hash && t.getAttribute('data-hash') === hash; })[0];
    select(opened || tabs()[0], false, false);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else setTimeout(start, 0);
})();
