/*
 * Baton ops page, Meetings tab: meetings by start time from `GET /v1/ops/meetings` (Temporal
 * visibility: MeetingAt, MeetingOutcome, AssignedRep), buttons that record how a meeting went
 * (`POST /v1/leads/:id/outcome`) once it has started, and the no-show rate per rep.
 * `/ops#meetings?lead=<leadId>` — the link in the rep's "how did it go?" task — opens that lead's
 * meeting first, read from the lead itself (so it shows before visibility has caught up).
 * Plain JS on top of ops.js (`window.BatonOps`), no dependencies.
 */
(function () {
  'use strict';

  var ops = window.BatonOps;
  if (!ops) return;
  var el = ops.el;
  var $ = function (id) { return document.getElementById(id); };
  var HOUR = 3600000;
  var DAY = 24 * HOUR;
  /** The "When" choices, as [from, to] offsets from now. */
  var WINDOWS = { default: [-DAY, 7 * DAY], next24: [0, DAY], past7: [-7 * DAY, 0], next30: [0, 30 * DAY] };
  var OUTCOME_TEXT = { scheduled: 'scheduled', unconfirmed: 'unconfirmed', held: 'held', no_show: 'no-show', rep_no_show: 'rep no-show', canceled: 'canceled' };
  /** An outcome can be recorded while the meeting is the lead's current one and nobody has said yet. */
  var OPEN_OUTCOMES = ['scheduled', 'unconfirmed'];
  var OPEN_STAGES = ['booked', 'rescheduling'];
  var ACTIONS = [
    { outcome: 'held', label: 'Held' },
    {
      outcome: 'no_show',
      label: 'No-show',
      yes: 'Record no-show',
      ask: function (who) { return 'Record that ' + who + ' did not show up? They are offered new times once; without a reply the lead ends unresponsive.'; },
    },
    {
      outcome: 'rep_no_show',
      label: 'Rep no-show',
      yes: 'Record rep no-show',
      ask: function (who, rep) { return 'Record that ' + (rep || 'the rep') + ' missed the meeting? ' + who + ' gets an apology and new times with a cover, and the lead shows as needing attention.'; },
    },
  ];

  var rows = []; // the listed meetings, as the API gave them
  var focusedId = null; // the lead of #meetings?lead=
  var focusedRow = null;
  var announced = false; // the linked meeting has been focused once
  var recorded = {}; // leadId -> { outcome, stage, meetingAt } recorded here, shown until visibility agrees
  var failed = {}; // leadId -> why the last attempt to record was refused
  var confirming = null; // { leadId, outcome, where } while a no-show question is open
  var started = false;
  var refreshTimer = null;
  var startTimer = null;

  var who = function (row) { return row.name || row.email; };
  var errorOf = function (r, fallback) { return (r.data && r.data.error && r.data.error.message) || fallback + ' (' + r.status + ').'; };
  function setStatus(text) { $('meetings-status').textContent = text; }

  // ── Filters (kept in the address: #meetings?window=&outcome=&rep=&lead=) ──
  function readAddress() {
    var hash = location.hash;
    var q = new URLSearchParams(hash.indexOf('?') >= 0 ? hash.slice(hash.indexOf('?') + 1) : '');
    var choose = function (select, value) {
      select.value = Array.prototype.some.call(select.options, function (o) { return o.value === value; }) ? value : select.options[0].value;
    };
    choose($('m-window'), q.get('window') || 'default');
    choose($('m-outcome'), q.get('outcome') || '');
    $('m-rep').value = q.get('rep') || '';
    focusedId = q.get('lead') || null;
  }
  function writeAddress() {
    var q = new URLSearchParams();
    if ($('m-window').value !== 'default') q.set('window', $('m-window').value);
    if ($('m-outcome').value) q.set('outcome', $('m-outcome').value);
    if ($('m-rep').value.trim()) q.set('rep', $('m-rep').value.trim());
    if (focusedId) q.set('lead', focusedId);
    history.replaceState(null, '', location.pathname + location.search + '#meetings' + (q.toString() ? '?' + q : ''));
  }
  $('m-filters').addEventListener('submit', function (ev) { ev.preventDefault(); load(false); });
  ['m-window', 'm-outcome', 'm-rep'].forEach(function (id) { $(id).addEventListener('change', function () { load(false); }); });
  $('m-clear').addEventListener('click', function () {
    $('m-window').value = 'default';
    $('m-outcome').value = '';
    $('m-rep').value = '';
    load(false);
  });

  // ── Loading ──────────────────────────────────────────────────────────────
  function load(fromKeyForm) {
    if (!started) {
      started = true;
      readAddress();
    }
    writeAddress();
    var span = WINDOWS[$('m-window').value] || WINDOWS.default;
    var now = Date.now();
    var q = new URLSearchParams({ from: new Date(now + span[0]).toISOString(), to: new Date(now + span[1]).toISOString() });
    if ($('m-outcome').value) q.set('outcome', $('m-outcome').value);
    if ($('m-rep').value.trim()) q.set('rep', $('m-rep').value.trim());
    setStatus('Loading…');
    ops.call('/v1/ops/meetings?' + q).then(function (r) {
      if (!ops.admitted(r, fromKeyForm)) return;
      if (r.status !== 200) {
        setStatus('Could not load the meetings: ' + errorOf(r, 'error'));
        schedule();
        return;
      }
      rows = r.data.meetings;
      renderRows();
      renderRates(r.data.noShowRate);
      var ahead = rows.filter(function (m) { return Date.parse(m.meetingAt) > Date.now(); }).length;
      setStatus(rows.length + (rows.length === 1 ? ' meeting' : ' meetings') + ', ' + ahead + ' ahead · updated ' + new Date().toLocaleTimeString());
      schedule();
    }, function () {
      setStatus('Could not reach the Baton API.');
      schedule();
    });
    if (focusedId) loadFocused(fromKeyForm);
    else $('meeting-focus').hidden = true;
  }

  /** Every 30 s while the tab is in view, unless someone is working in it (they would lose their place). */
  function schedule() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      var panel = $('panel-meetings');
      var busy = confirming || (panel.contains(document.activeElement) && document.activeElement !== document.body);
      if (document.visibilityState === 'visible' && !$('app').hidden && !panel.hidden && !busy) load(false);
      else schedule();
    }, 30000);
  }

  /** The linked lead's meeting, from the lead itself (a workflow query): no wait for visibility. */
  function loadFocused(fromKeyForm) {
    var id = focusedId;
    ops.call('/v1/leads/' + encodeURIComponent(id)).then(function (r) {
      if (id !== focusedId || !ops.admitted(r, fromKeyForm)) return;
      focusedRow = r.status === 200 ? fromLead(r.data) : { error: r.status === 404 ? 'There is no lead ' + id + '.' : errorOf(r, 'Could not load the lead') };
      renderFocused();
    }, function () {
      focusedRow = { error: 'Could not reach the Baton API.' };
      renderFocused();
    });
  }
  /** A lead (LeadView) as a row of the list. */
  function fromLead(v) {
    if (!v.booking) return { error: (v.lead.name || v.lead.email) + ' has no meeting (stage: ' + ops.label(v.stage) + ').' };
    return {
      leadId: v.leadId,
      workflowId: v.workflowId,
      email: v.lead.email,
      name: v.lead.name || null,
      company: v.lead.company || null,
      meetingAt: v.booking.start,
      outcome: v.meeting ? v.meeting.outcome : 'scheduled',
      stage: v.stage,
      rep: v.booking.reps[0] || null,
      temporalUiUrl: v.temporalUiUrl,
    };
  }

  // ── Rendering ────────────────────────────────────────────────────────────
  /** The row with what this page recorded, until visibility (eventually consistent) says the same. */
  function current(row) {
    var mine = recorded[row.leadId];
    if (!mine || mine.meetingAt !== row.meetingAt) return row;
    if (row.outcome === mine.outcome && row.stage === mine.stage) return row;
    var copy = {};
    for (var k in row) copy[k] = row[k];
    copy.outcome = mine.outcome;
    copy.stage = mine.stage;
    return copy;
  }

  function when(iso) {
    var at = new Date(iso);
    var mins = Math.round((at.getTime() - Date.now()) / 60000);
    var rel = '';
    if (ops.relative) rel = Math.abs(mins) < 90 ? ops.relative.format(mins, 'minute') : Math.abs(mins) < 48 * 60 ? ops.relative.format(Math.round(mins / 60), 'hour') : ops.relative.format(Math.round(mins / 1440), 'day');
    return [el('time', { datetime: iso, text: ops.dateFormat.format(at) }), rel ? el('span', { class: 'rel', text: ' (' + rel + ')' }) : null];
  }

  function renderRows() {
    var body = $('meetings-body');
    body.textContent = '';
    var reps = {};
    if (!rows.length) body.append(el('tr', {}, [el('td', { colspan: '7', class: 'empty', text: 'No meetings in this window match these filters.' })]));
    rows.forEach(function (raw) {
      var row = current(raw);
      if (row.rep) reps[row.rep] = true;
      body.append(el('tr', { 'data-lead-id': row.leadId, 'data-outcome': row.outcome, class: row.leadId === focusedId ? 'linked' : '' }, [
        el('td', {}, when(row.meetingAt)),
        el('td', {}, [
          el('div', { class: 'who', text: who(row) }),
          el('div', { class: 'muted small', text: [row.company, row.name ? row.email : null].filter(Boolean).join(' · ') }),
        ]),
        el('td', { text: row.rep || '—' }),
        el('td', {}, [el('span', { class: 'badge stage-' + row.stage, text: ops.label(row.stage) })]),
        el('td', {}, [el('span', { class: 'badge outcome outcome-' + row.outcome, text: OUTCOME_TEXT[row.outcome] || row.outcome })]),
        el('td', {}, [controls(row, 'list')]),
        el('td', {}, [
          row.temporalUiUrl
            ? el('a', { href: row.temporalUiUrl, target: '_blank', rel: 'noopener', class: 'wf' }, [
                document.createTextNode('Open in Temporal UI'),
                el('span', { class: 'sr-only', text: ' for ' + who(row) + ' (opens in a new tab)' }),
              ])
            : el('code', { class: 'small', text: row.workflowId }),
        ]),
      ]));
    });
    var datalist = $('m-reps');
    datalist.textContent = '';
    Object.keys(reps).sort().forEach(function (r) { datalist.append(el('option', { value: r })); });
    enableAtStart();
  }

  function renderRates(rates) {
    var body = $('rates-body');
    body.textContent = '';
    var reps = Object.keys(rates || {}).sort();
    if (!reps.length) body.append(el('tr', {}, [el('td', { colspan: '4', class: 'empty', text: 'No meetings with a rep in this window.' })]));
    reps.forEach(function (rep) {
      var r = rates[rep];
      body.append(el('tr', { 'data-rep': rep }, [
        el('th', { scope: 'row', text: rep }),
        el('td', { text: String(r.decided) }),
        el('td', { text: String(r.noShows) }),
        el('td', { class: 'rate', text: r.rate === null ? '—' : Math.round(r.rate * 100) + '%' }, [
          r.rate === null ? el('span', { class: 'sr-only', text: ' no outcome known yet' }) : null,
        ]),
      ]));
    });
  }

  function renderFocused() {
    var box = $('meeting-focus');
    box.textContent = '';
    box.hidden = !focusedId;
    if (!focusedId || !focusedRow) return;
    var close = el('button', { type: 'button', class: 'link', text: 'Close' }, [el('span', { class: 'sr-only', text: ' this meeting' })]);
    close.addEventListener('click', function () {
      focusedId = null;
      focusedRow = null;
      box.hidden = true;
      writeAddress();
      renderRows();
      $('m-window').focus();
    });
    if (focusedRow.error) {
      box.append(el('h3', { id: 'meeting-focus-h', text: 'Linked meeting' }), el('p', { class: 'notice', text: focusedRow.error }), close);
    } else {
      var row = current(focusedRow);
      var details = [
        ['When', when(row.meetingAt)],
        ['Company', row.company ? [document.createTextNode(row.company)] : null],
        ['Email', [document.createTextNode(row.email)]],
        ['Rep', row.rep ? [document.createTextNode(row.rep)] : null],
        ['Stage', [el('span', { class: 'badge stage-' + row.stage, text: ops.label(row.stage) })]],
        ['Outcome', [el('span', { class: 'badge outcome outcome-' + row.outcome, text: OUTCOME_TEXT[row.outcome] || row.outcome })]],
      ];
      var dl = el('dl');
      details.forEach(function (d) { if (d[1]) dl.append(el('dt', { text: d[0] }), el('dd', {}, d[1])); });
      box.append(el('h3', { id: 'meeting-focus-h', text: 'Meeting with ' + who(row) }), dl, controls(row, 'focus'), close);
    }
    enableAtStart();
    if (!announced) {
      announced = true;
      box.focus();
    }
  }

  // ── Recording an outcome ─────────────────────────────────────────────────
  /** The outcome buttons of one meeting (or why there are none), in the list or the linked card. */
  function controls(row, where) {
    var box = el('div', { class: 'record', 'data-lead-id': row.leadId, 'data-where': where, tabindex: '-1' });
    if (OPEN_OUTCOMES.indexOf(row.outcome) < 0 || OPEN_STAGES.indexOf(row.stage) < 0) {
      box.append(el('span', { class: 'muted small', text: OPEN_OUTCOMES.indexOf(row.outcome) < 0 ? 'Recorded: ' + (OUTCOME_TEXT[row.outcome] || row.outcome) : 'Not the lead’s current meeting' }));
      return box;
    }
    if (confirming && confirming.leadId === row.leadId && confirming.where === where) return ask(row, where, box);
    var start = Date.parse(row.meetingAt);
    var open = Date.now() >= start;
    var hintId = 'm-hint-' + where + '-' + row.leadId;
    var group = el('div', { class: 'buttons', role: 'group', 'aria-label': 'How the meeting with ' + who(row) + ' went' });
    ACTIONS.forEach(function (a) {
      var button = el('button', { type: 'button', 'data-outcome': a.outcome, 'data-starts': row.meetingAt, disabled: !open, 'aria-describedby': open ? null : hintId, text: a.label });
      button.addEventListener('click', function () {
        if (!a.ask) return record(row, a.outcome, '', where);
        confirming = { leadId: row.leadId, outcome: a.outcome, where: where };
        var fresh = controls(row, where);
        box.replaceWith(fresh);
        fresh.querySelector('input').focus();
      });
      group.append(button);
    });
    box.append(group);
    if (!open) box.append(el('p', { class: 'hint small muted', id: hintId, text: 'From ' + ops.dateFormat.format(new Date(start)) + ', once the meeting has started' }));
    if (failed[row.leadId]) box.append(el('p', { class: 'notice bad small', role: 'alert', text: failed[row.leadId] }));
    return box;
  }

  /** A no-show changes what the buyer is told, so it is asked first (with an optional note for the CRM). */
  function ask(row, where, box) {
    var a = ACTIONS.filter(function (x) { return x.outcome === confirming.outcome; })[0];
    var noteId = 'm-note-' + where + '-' + row.leadId;
    var back = el('button', { type: 'button', text: 'Back' });
    var form = el('form', { class: 'ask-outcome', 'aria-label': a.yes + ' for ' + who(row) }, [
      el('p', { text: a.ask(who(row), row.rep) }),
      el('label', { for: noteId, text: 'Note for the CRM (optional)' }),
      el('input', { id: noteId, maxlength: '2000', autocomplete: 'off' }),
      el('div', { class: 'row' }, [el('button', { type: 'submit', class: 'danger', text: a.yes }), back]),
    ]);
    function cancel() {
      confirming = null;
      var fresh = controls(row, where);
      box.replaceWith(fresh);
      var again = fresh.querySelector('button[data-outcome="' + a.outcome + '"]');
      if (again) again.focus();
    }
    back.addEventListener('click', cancel);
    form.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') { ev.preventDefault(); cancel(); } });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      record(row, a.outcome, form.querySelector('input').value.trim(), where);
    });
    box.append(form);
    return box;
  }

  function record(row, outcome, note, where) {
    var box = recordBox(row.leadId, where);
    if (box) box.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
    setStatus('Recording ' + OUTCOME_TEXT[outcome] + ' for ' + who(row) + '…');
    ops.call('/v1/leads/' + encodeURIComponent(row.leadId) + '/outcome', { method: 'POST', body: note ? { outcome: outcome, note: note } : { outcome: outcome } }).then(function (r) {
      if (!ops.admitted(r, false)) return;
      confirming = null;
      if (r.status === 200) {
        delete failed[row.leadId];
        recorded[row.leadId] = { outcome: r.data.outcome, stage: r.data.stage, meetingAt: row.meetingAt };
        setStatus('Recorded ' + OUTCOME_TEXT[r.data.outcome] + ' for ' + who(row) + '; the lead is now ' + ops.label(r.data.stage) + '.');
      } else {
        failed[row.leadId] = errorOf(r, 'Could not record the outcome');
        setStatus('Not recorded: ' + failed[row.leadId]);
      }
      redraw(row, where);
    }, function () {
      confirming = null;
      failed[row.leadId] = 'Could not reach the Baton API; nothing was recorded.';
      setStatus(failed[row.leadId]);
      redraw(row, where);
    });
  }
  function recordBox(leadId, where) {
    return Array.prototype.filter.call(document.querySelectorAll('.record'), function (b) {
      return b.getAttribute('data-lead-id') === leadId && b.getAttribute('data-where') === where;
    })[0] || null;
  }
  /** Both places a meeting shows are redrawn; focus stays where the person was working. */
  function redraw(row, where) {
    renderRows();
    if (focusedRow && focusedRow.leadId === row.leadId) renderFocused();
    var box = recordBox(row.leadId, where);
    if (box) box.focus();
  }

  /** Buttons of a meeting that starts while the page is open turn on at its start, in place (focus is kept). */
  function enableAtStart() {
    clearTimeout(startTimer);
    var now = Date.now();
    var next = Infinity;
    document.querySelectorAll('#panel-meetings .record button[data-starts]:disabled').forEach(function (b) {
      var at = Date.parse(b.getAttribute('data-starts'));
      if (at <= now) {
        b.disabled = false;
        b.removeAttribute('aria-describedby');
        var hint = b.closest('.record').querySelector('.hint');
        if (hint) hint.remove();
      } else next = Math.min(next, at);
    });
    if (next < Infinity) startTimer = setTimeout(enableAtStart, Math.min(next - now + 50, 2147483000));
  }

  ops.tab('tab-meetings', function (fromKeyForm) {
    load(fromKeyForm);
  });
})();
