/*
 * Baton buyer chat widget: a "Schedule a demo" card that starts a lead, streams the agent's
 * messages, offers the proposed times as buttons (in the buyer's own time zone) and books one.
 * After booking it shows the meeting (when, with whom, the join link) with Reschedule and Cancel,
 * follows it through moves, cancellation and the outcome, and free text keeps working throughout.
 *
 * Embed on any site:
 *   <script src="https://baton.example/widget.js" data-baton-api="https://baton.example"></script>
 * Optional: data-baton-target="#css-selector" mounts the card there instead of after the script tag.
 * The API must list the site's origin in BATON_ALLOWED_ORIGINS. Plain JS, no dependencies, Shadow DOM
 * keeps the host page's CSS out and ours in.
 */
(function () {
  'use strict';

  var script = document.currentScript || document.querySelector('script[data-baton-api],script[src$="/widget.js"]');
  if (!script) return;
  var api = (script.getAttribute('data-baton-api') || new URL(script.src || location.href, location.href).origin).replace(/\/+$/, '');
  var storageKey = 'baton:lead:' + api;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  var CSS = [
    ':host{all:initial;display:block;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1d23}',
    '*,*::before,*::after{box-sizing:border-box}',
    '.card{max-width:440px;background:#fff;border:1px solid #d4d8de;border-radius:14px;padding:20px 20px 16px;box-shadow:0 4px 18px rgba(20,30,50,.08)}',
    'h2{margin:0 0 4px;font-size:1.25rem;line-height:1.3}',
    '.sub{margin:0 0 16px;color:#4a5160;font-size:.95rem}',
    '.field{margin:0 0 12px}',
    'label{display:block;font-weight:600;font-size:.9rem;margin:0 0 4px}',
    '.opt{font-weight:400;color:#5b6270}',
    'input,textarea{width:100%;font:inherit;color:inherit;padding:9px 11px;border:1px solid #8a93a3;border-radius:8px;background:#fff}',
    'textarea{resize:vertical;min-height:4.5em}',
    'input[aria-invalid=true]{border-color:#b3261e}',
    'button{font:inherit;cursor:pointer;border-radius:8px}',
    '.primary{background:#2947d8;color:#fff;border:1px solid #2947d8;padding:10px 16px;font-weight:600}',
    '.primary:hover{background:#1f39b4}',
    'button:disabled{cursor:not-allowed;opacity:.6}',
    '.slot:disabled{color:#5b6270;border-color:#c9ced6;background:#f3f4f6;opacity:1;font-weight:500}',
    '.expired legend{font-style:italic}',
    ':focus-visible{outline:3px solid #f2a900;outline-offset:2px}',
    'input:focus-visible,textarea:focus-visible{outline:3px solid #f2a900;outline-offset:1px;border-color:#2947d8}',
    '.err{color:#b3261e;font-size:.88rem;margin:4px 0 0}',
    '.notice{background:#fff6e0;border:1px solid #e7c66b;border-radius:8px;padding:8px 10px;margin:8px 0;font-size:.92rem}',
    '.notice.bad{background:#fdecea;border-color:#e6a39d}',
    '.status{font-size:.85rem;color:#4a5160;margin:0 0 8px;display:flex;align-items:center;gap:6px}',
    '.dot{width:8px;height:8px;border-radius:50%;background:#2947d8;display:inline-block}',
    '.status[data-final] .dot{background:#1e7d3b}',
    '.log{list-style:none;margin:0 0 12px;padding:10px 8px;max-height:min(60vh,460px);overflow-y:auto;display:flex;flex-direction:column;gap:8px;border:1px solid #e3e6eb;border-radius:10px;background:#fbfbfc}',
    '.msg{max-width:88%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.95rem}',
    '.msg.agent{align-self:flex-start;background:#eef1f6;border-bottom-left-radius:4px}',
    '.msg.buyer{align-self:flex-end;background:#2947d8;color:#fff;border-bottom-right-radius:4px}',
    '.who{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}',
    '.times{align-self:stretch;border:0;margin:0;padding:0}',
    '.times legend{font-size:.82rem;color:#4a5160;padding:0;margin:0 0 6px}',
    '.times .slots{display:flex;flex-direction:column;gap:6px}',
    '.slot{background:#fff;color:#1f39b4;border:1.5px solid #2947d8;padding:9px 12px;text-align:left;font-weight:600}',
    '.slot:hover:not(:disabled){background:#eef1fd}',
    '.slot[aria-pressed=true],.slot[aria-pressed=true]:disabled{background:#2947d8;color:#fff;opacity:1}',
    '.confirm{border:1.5px solid #1e7d3b;background:#ecf7ef;border-radius:10px;padding:12px 14px;margin:0 0 12px}',
    '.confirm h3{margin:0 0 4px;font-size:1.05rem;color:#17602d}',
    '.confirm p{margin:2px 0}',
    '.confirm a{color:#17602d}',
    '.confirm[data-state=canceled]{border-color:#8a93a3;background:#f3f4f6}',
    '.confirm[data-state=canceled] h3{color:#4a5160}',
    '.confirm[data-state=canceled] .when{text-decoration:line-through}',
    '.confirm[data-state=no_show],.confirm[data-state=rep_no_show]{border-color:#e7c66b;background:#fff6e0}',
    '.confirm[data-state=no_show] h3,.confirm[data-state=rep_no_show] h3{color:#7a4b00}',
    '.confirm .when{font-weight:600}',
    '.confirm .actions{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0 0}',
    '.confirm .ask{margin:10px 0 0;padding:10px 0 0;border-top:1px solid #b9dcc3}',
    '.confirm .ask .row{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0 0}',
    '.hint{font-size:.85rem;color:#4a5160;margin:4px 0 0}',
    '.danger{background:#b3261e;color:#fff;border:1px solid #b3261e;padding:9px 14px;font-weight:600}',
    '.danger:hover{background:#8f1e18}',
    '.reply .row{display:flex;gap:8px}',
    '.reply input{flex:1}',
    '.secondary{background:#fff;border:1px solid #8a93a3;color:#1a1d23;padding:9px 14px}',
    '.link{background:none;border:0;padding:2px;color:#2947d8;text-decoration:underline;font-size:.85rem;margin-top:10px}',
    '.brand{font-size:.75rem;color:#6b7280;margin:12px 0 0;text-align:right}',
    '[hidden]{display:none!important}',
  ].join('\n');

  var STAGE_TEXT = {
    qualifying: 'Reading your request…',
    routing: 'Finding the right person for you…',
    proposing: 'Checking calendars…',
    awaiting_reply: 'Pick a time, or reply below',
    booking: 'Booking your meeting…',
    booked: 'Your meeting is booked',
    rescheduling: 'Pick a new time, or reply below',
    held: 'Your meeting took place',
    no_show: 'We missed you: pick a new time, or reply below',
    canceled: 'Your meeting was canceled',
    unresponsive: 'This conversation has ended',
    disqualified: 'This conversation has ended',
    declined: 'This conversation has ended',
    needs_attention: 'A teammate will follow up with you',
  };
  // A booked meeting keeps the conversation open (moves, cancellation, questions) until it is held.
  var FINAL = ['held', 'canceled', 'unresponsive', 'disqualified', 'declined'];

  var rangeFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
  var longFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
  function when(p, format) {
    var start = new Date(p.start);
    var end = new Date(p.end);
    return format.formatRange ? format.formatRange(start, end) : format.format(start);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) {
      if (attrs[k] === false || attrs[k] == null) continue;
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'class') node.className = attrs[k];
      else node.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) node.append(c); });
    return node;
  }

  // ── Mount ────────────────────────────────────────────────────────────────
  var host = document.createElement('div');
  host.className = 'baton-widget';
  var target = script.getAttribute('data-baton-target');
  var mountPoint = target && document.querySelector(target);
  if (mountPoint) mountPoint.append(host);
  else script.after(host);
  var root = host.attachShadow({ mode: 'open' });
  var style = document.createElement('style');
  style.textContent = CSS;
  root.append(style);

  var card = el('section', { class: 'card', 'aria-labelledby': 'bt-title' });
  root.append(card);
  card.innerHTML =
    '<h2 id="bt-title">Schedule a demo</h2>' +
    '<p class="sub" id="bt-sub">Tell us what you need and pick a time that works — right here.</p>' +
    '<form class="start" novalidate>' +
    '  <div class="field"><label for="bt-name">Name <span class="opt">(optional)</span></label>' +
    '    <input id="bt-name" name="name" autocomplete="name" maxlength="200"></div>' +
    '  <div class="field"><label for="bt-email">Work email</label>' +
    '    <input id="bt-email" name="email" type="email" required autocomplete="email" maxlength="320" aria-describedby="bt-email-err">' +
    '    <p class="err" id="bt-email-err" hidden></p></div>' +
    '  <div class="field"><label for="bt-need">What do you need?</label>' +
    '    <textarea id="bt-need" name="message" rows="3" maxlength="5000" placeholder="e.g. We are a 200-person clinic group looking to automate scheduling"></textarea></div>' +
    '  <p class="notice bad" id="bt-form-err" role="alert" hidden></p>' +
    '  <button type="submit" class="primary">Schedule a demo</button>' +
    '</form>' +
    '<div class="chat" hidden>' +
    '  <p class="status" id="bt-status" role="status"><span class="dot" aria-hidden="true"></span><span id="bt-status-text"></span></p>' +
    '  <ol class="log" id="bt-log" role="log" aria-live="polite" aria-label="Conversation" tabindex="-1"></ol>' +
    '  <section class="confirm" id="bt-confirm" tabindex="-1" aria-labelledby="bt-meeting-h" hidden>' +
    '    <h3 id="bt-meeting-h"></h3>' +
    '    <p class="when" id="bt-when"></p>' +
    '    <p id="bt-with" hidden></p>' +
    '    <p id="bt-meeting-note"></p>' +
    '    <p id="bt-join" hidden><a id="bt-join-link" target="_blank" rel="noopener noreferrer">Join link</a></p>' +
    '    <div class="actions" id="bt-meeting-actions" hidden>' +
    '      <button type="button" class="secondary" id="bt-reschedule" aria-expanded="false" aria-controls="bt-reschedule-form">Reschedule</button>' +
    '      <button type="button" class="secondary" id="bt-cancel" aria-expanded="false" aria-controls="bt-cancel-form">Cancel meeting</button>' +
    '    </div>' +
    '    <form class="ask" id="bt-reschedule-form" hidden>' +
    '      <label for="bt-reschedule-text">When would suit you better?</label>' +
    '      <input id="bt-reschedule-text" autocomplete="off" maxlength="500" placeholder="e.g. Friday morning, or an hour later" aria-describedby="bt-reschedule-hint">' +
    '      <p class="hint" id="bt-reschedule-hint">Optional: leave it empty and we will offer other times. Your meeting stays booked until you pick a new one.</p>' +
    '      <div class="row"><button type="submit" class="primary">Ask for new times</button><button type="button" class="secondary" data-close>Never mind</button></div>' +
    '    </form>' +
    '    <form class="ask" id="bt-cancel-form" hidden>' +
    '      <p id="bt-cancel-q"></p>' +
    '      <label for="bt-cancel-reason">Reason <span class="opt">(optional)</span></label>' +
    '      <input id="bt-cancel-reason" autocomplete="off" maxlength="1000">' +
    '      <div class="row"><button type="submit" class="danger">Yes, cancel the meeting</button><button type="button" class="secondary" data-close>Keep the meeting</button></div>' +
    '    </form>' +
    '  </section>' +
    '  <p class="notice" id="bt-notice" role="alert" hidden></p>' +
    '  <form class="reply" id="bt-reply-form">' +
    '    <label for="bt-reply">Reply</label>' +
    '    <div class="row"><input id="bt-reply" name="text" autocomplete="off" maxlength="5000" placeholder="e.g. Thursday afternoon works better">' +
    '    <button type="submit" class="secondary">Send</button></div>' +
    '  </form>' +
    '  <button type="button" class="link" id="bt-restart">Start a new request</button>' +
    '</div>' +
    '<p class="brand">Scheduling by Baton</p>';

  var $ = function (sel) { return root.querySelector(sel); };
  var startForm = $('form.start');
  var chat = $('.chat');
  var log = $('#bt-log');
  var statusBox = $('#bt-status');
  var statusText = $('#bt-status-text');
  var confirmBox = $('#bt-confirm');
  var notice = $('#bt-notice');
  var replyForm = $('#bt-reply-form');
  var replyInput = $('#bt-reply');

  // ── State ────────────────────────────────────────────────────────────────
  var session = null; // { leadId, buyerToken, email }
  var source = null;
  var seen = {};
  var offered = {}; // proposal-set key -> its <fieldset>
  var stage = null;
  var booking = false;
  var confirmed = false; // the meeting card has been shown (it is focused the first time)
  var meeting = null; // the last lead view with a booking: { stage, booking, meeting, messages }
  var meetingWith = ''; // who the buyer meets, as the agent last said it
  var refreshTimer = null;

  function load() {
    try { return JSON.parse(sessionStorage.getItem(storageKey) || 'null'); } catch (e) { return null; }
  }
  function save(s) {
    try { if (s) sessionStorage.setItem(storageKey, JSON.stringify(s)); else sessionStorage.removeItem(storageKey); } catch (e) { /* storage disabled */ }
  }

  function call(method, path, body, extra) {
    var headers = { Accept: 'application/json' };
    if (extra) Object.keys(extra).forEach(function (k) { headers[k] = extra[k]; });
    if (body) headers['Content-Type'] = 'application/json';
    if (session && session.buyerToken) headers.Authorization = 'Bearer ' + session.buyerToken;
    return fetch(api + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        return { status: res.status, data: data, retryAfter: res.headers.get('retry-after') };
      });
    });
  }
  function leadPath(suffix) { return '/v1/leads/' + encodeURIComponent(session.leadId) + (suffix || ''); }

  // ── While the service is degraded ────────────────────────────────────────
  // The API answers 503 with Retry-After while Temporal is restarting or unreachable (a history
  // service restart takes seconds). A buyer's reply must not be lost to that: the request is sent
  // again after the pause the API asks for, for up to RETRY_FOR_MS, with a notice saying so.
  var RETRY_FOR_MS = 5 * 60 * 1000;
  var DEFAULT_RETRY_MS = 5000;

  /** Retry-After (seconds, or an HTTP date) in milliseconds, kept between 1 s and a minute. */
  function retryDelay(header) {
    var ms = /^\s*\d+\s*$/.test(header || '') ? Number(header) * 1000 : Date.parse(header || '') - Date.now();
    if (!(ms >= 0)) ms = DEFAULT_RETRY_MS;
    return Math.min(Math.max(ms, 1000), 60000);
  }
  function pause(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  /**
   * `call`, retried while the answer is 503. A 503 can also mean the request went through and only
   * its answer was late, so before sending again `landed()` (optional) looks at the lead: it resolves
   * to a response to use instead (it went through), `false` (send again) or `null` (cannot tell yet:
   * wait and look again). So a reply is never sent twice. `onWait(seconds)` says we are waiting.
   */
  function callRetrying(method, path, body, landed, onWait, extra) {
    var deadline = Date.now() + RETRY_FOR_MS;
    function attempt() {
      return call(method, path, body, extra).then(function (r) {
        return r.status === 503 && Date.now() < deadline ? waitThen(retryDelay(r.retryAfter)) : r;
      });
    }
    function waitThen(ms) {
      if (onWait) onWait(Math.ceil(ms / 1000));
      return pause(ms).then(function () {
        if (!landed) return attempt();
        return landed().then(function (seen) {
          if (seen) return seen;
          if (seen === null && Date.now() < deadline) return waitThen(DEFAULT_RETRY_MS);
          return attempt();
        }, function () { return Date.now() < deadline ? waitThen(DEFAULT_RETRY_MS) : attempt(); });
      });
    }
    return attempt();
  }
  function waitingNotice(seconds) {
    showNotice('Our scheduling service is catching up. We will send this again in ' + seconds + ' s; no need to retype anything.');
  }
  /** The lead as the API shows it now, or null while it cannot be read. */
  function currentLead() {
    return call('GET', leadPath()).then(function (r) { return r.status === 200 ? r.data : null; });
  }
  function errorText(r, fallback) {
    if (r.status === 429) return 'Too many requests — please wait ' + (r.retryAfter || 'a few') + ' seconds and try again.';
    if (r.status >= 500) return 'We could not reach our scheduling service. Please try again in a moment.';
    return (r.data && r.data.error && r.data.error.message) || fallback;
  }
  function showNotice(text, bad) {
    notice.textContent = text || '';
    notice.className = 'notice' + (bad ? ' bad' : '');
    notice.hidden = !text;
  }

  // ── Start form ───────────────────────────────────────────────────────────
  startForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var email = $('#bt-email');
    var emailErr = $('#bt-email-err');
    var formErr = $('#bt-form-err');
    formErr.hidden = true;
    var value = email.value.trim();
    if (!value || !email.checkValidity()) {
      emailErr.textContent = value ? 'Please enter a valid email address.' : 'Please enter your work email.';
      emailErr.hidden = false;
      email.setAttribute('aria-invalid', 'true');
      email.focus();
      return;
    }
    emailErr.hidden = true;
    email.removeAttribute('aria-invalid');
    var lead = { email: value };
    var name = $('#bt-name').value.trim();
    var need = $('#bt-need').value.trim();
    if (name) lead.name = name;
    if (need) lead.message = need;
    if (zone) lead.fields = { timezone: zone };
    var submit = startForm.querySelector('button[type=submit]');
    submit.disabled = true;
    submit.textContent = 'Starting…';
    session = null;
    // Retried on 503 like a reply, with one key per submission: a retry after a lost answer (or a
    // 503 after the first attempt did start it) gets the same lead and token back.
    var key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + '-' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
    callRetrying('POST', '/v1/leads', lead, null, function (seconds) {
      formErr.className = 'notice';
      formErr.textContent = 'Our scheduling service is catching up. We will send your request again in ' + seconds + ' s.';
      formErr.hidden = false;
    }, { 'Idempotency-Key': key }).then(function (r) {
      formErr.hidden = true;
      submit.disabled = false;
      submit.textContent = 'Schedule a demo';
      if ((r.status === 202 || r.status === 200) && r.data.buyerToken) {
        session = { leadId: r.data.leadId, buyerToken: r.data.buyerToken, email: value };
        save(session);
        openChat(true);
      } else if (r.status === 200) {
        formErr.className = 'notice';
        formErr.textContent = 'We already have an open request from ' + value + ' and added your message to it. We will be in touch by email.';
        formErr.hidden = false;
      } else {
        formErr.className = 'notice bad';
        formErr.textContent = errorText(r, 'Something went wrong. Please check the form and try again.');
        formErr.hidden = false;
      }
    }, function () {
      submit.disabled = false;
      submit.textContent = 'Schedule a demo';
      formErr.className = 'notice bad';
      formErr.textContent = 'We could not reach our scheduling service. Please check your connection and try again.';
      formErr.hidden = false;
    });
  });

  // ── Conversation ─────────────────────────────────────────────────────────
  function openChat(moveFocus) {
    startForm.hidden = true;
    $('#bt-sub').hidden = true;
    chat.hidden = false;
    setStage(stage || 'qualifying');
    if (moveFocus) log.focus();
    connect();
  }

  function connect() {
    if (source) source.close();
    var url = api + leadPath('/events') + '?token=' + encodeURIComponent(session.buyerToken);
    source = new EventSource(url);
    source.addEventListener('message', function (ev) { onEvent(JSON.parse(ev.data)); });
    source.addEventListener('stage', function (ev) { onEvent(JSON.parse(ev.data)); });
    source.addEventListener('open', function () { retryMs = 2000; });
    source.onerror = function () {
      if (!source || source.readyState !== EventSource.CLOSED) return; // the browser retries by itself
      // Refused outright (204 closed lead, 401/404, 503): find out why, then catch up, retry later or start over.
      source = null;
      call('GET', leadPath()).then(function (r) {
        if (r.status === 401 || r.status === 404) return restart('We could not open this conversation. If you already have a request open with us, we will be in touch by email; otherwise please start a new request.');
        if (r.status === 200) {
          applyView(r.data);
          if (r.data.stage !== stage) setStage(r.data.stage);
        }
        retryLater();
      }, retryLater);
    };
  }

  var retryMs = 2000;
  /** Reconnects with a growing pause (up to a minute), so a lead that ended quietly costs next to nothing. */
  function retryLater() {
    if (!session || isFinal()) return;
    setTimeout(function () { if (session && !isFinal() && !source) connect(); }, retryMs);
    retryMs = Math.min(retryMs * 2, 60000);
  }

  function isFinal() { return FINAL.indexOf(stage) >= 0; }

  function onEvent(e) {
    if (seen[e.id]) return;
    seen[e.id] = true;
    if (e.type === 'stage') {
      setStage(e.stage);
      // Every stage change after booking may change the meeting: moved, canceled, held, missed; and
      // a lead handed to a person may have withdrawn its times (the lead's proposals decide).
      if (meeting || e.stage === 'booked' || e.stage === 'needs_attention') scheduleRefresh();
      return;
    }
    if (e.type === 'message' && e.message) {
      addMessage(e.message);
      // A cover ("Tom will join instead") changes the meeting without a stage change.
      if (meeting && e.message.from === 'agent') scheduleRefresh();
    }
  }

  function setStage(next) {
    stage = next;
    statusText.textContent = STAGE_TEXT[next] || next;
    if (isFinal()) statusBox.setAttribute('data-final', '');
    if (isFinal()) {
      if (source) { source.close(); source = null; }
      replyForm.hidden = true;
      disableAllSlots();
    }
  }

  function addMessage(m) {
    var item = el('li', { class: 'msg ' + (m.from === 'buyer' ? 'buyer' : 'agent') }, [
      el('span', { class: 'who', text: m.from === 'buyer' ? 'You: ' : 'Baton: ' }),
    ]);
    item.append(document.createTextNode(m.text));
    log.append(item);
    if (m.from === 'agent') meetingWith = whoFrom(m.text) || meetingWith;
    if (m.proposalIds && m.proposalIds.length) {
      var key = m.proposalIds.join(',');
      var existing = offered[key];
      if (existing && existing.classList.contains('times') && !existing.classList.contains('expired')) {
        // Offered already (a 409 answer beat the stream): keep the buttons under the message that offers them.
        var active = root.activeElement;
        log.append(existing);
        if (active && existing.contains(active)) active.focus();
      } else if (!existing) {
        var holder = el('li', { class: 'times-holder' });
        log.append(holder);
        refreshLead().then(function (view) {
          if (!view || offered[key]) return holder.remove();
          var proposals = view.proposals.filter(function (p) { return m.proposalIds.indexOf(p.id) >= 0; });
          if (!proposals.length) return holder.remove();
          holder.replaceWith(offerTimes(key, proposals));
          scrollDown();
        });
      }
    }
    scrollDown();
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function refreshLead() {
    return call('GET', leadPath()).then(function (r) {
      if (r.status !== 200) return null;
      applyView(r.data);
      return r.data;
    }, function () { return null; });
  }
  /** Several events in a row (a message, then a stage) cost one look at the lead. */
  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () { if (session) refreshLead(); }, 150);
  }

  /** The lead as the API shows it now: the stream may lag behind, and a final stage seen here wins. */
  function applyView(view) {
    if (FINAL.indexOf(view.stage) >= 0 && !isFinal()) {
      // The stream stops at a final stage: the last messages (the cancel confirmation...) come from here.
      (view.messages || []).forEach(function (m) {
        if (!seen[m.id]) { seen[m.id] = true; addMessage(m); }
      });
      setStage(view.stage);
    }
    syncOffers(view.proposals || []);
    if (view.booking) showMeeting(view);
  }

  /** A group of buttons, one per proposed time, in the buyer's own time zone. */
  function offerTimes(key, proposals) {
    expireOffers();
    var group = el('li', { class: 'times' });
    var fieldset = el('fieldset', { class: 'times' }, [el('legend', { text: (meeting ? 'Choose a new time' : 'Choose a time') + ' (shown in your time zone, ' + zone + ')' })]);
    var slots = el('div', { class: 'slots' });
    proposals.forEach(function (p) {
      var label = when(p, rangeFormat);
      var button = el('button', { type: 'button', class: 'slot', 'data-proposal-id': p.id, 'aria-pressed': 'false', 'aria-label': 'Book ' + label, text: label });
      button.addEventListener('click', function () { book(p, button); });
      slots.append(button);
    });
    fieldset.append(slots);
    group.append(fieldset);
    offered[key] = group;
    return group;
  }

  function disableAllSlots() {
    root.querySelectorAll('.slot').forEach(function (b) { b.disabled = true; });
  }

  /** Times no longer on offer (booked, withdrawn, the lead handed to a person) can no longer be clicked. */
  function syncOffers(proposals) {
    var onOffer = {};
    proposals.forEach(function (p) { onOffer[p.id] = true; });
    root.querySelectorAll('.slot').forEach(function (b) {
      if (!onOffer[b.getAttribute('data-proposal-id')]) b.disabled = true;
    });
  }

  /** Older offers stay in the conversation for context, visibly out of date. */
  function expireOffers() {
    root.querySelectorAll('li.times:not(.expired)').forEach(function (group) {
      group.classList.add('expired');
      var legend = group.querySelector('legend');
      if (legend) legend.textContent = 'Earlier options (no longer available)';
    });
    disableAllSlots();
  }

  function book(proposal, button) {
    if (booking) return;
    booking = true;
    showNotice('');
    var group = button.closest('.times');
    group.querySelectorAll('.slot').forEach(function (b) { b.disabled = true; });
    button.setAttribute('aria-pressed', 'true');
    statusText.textContent = 'Booking ' + when(proposal, rangeFormat) + '…';
    // Booked meanwhile (this very time: a booked meeting being moved has another one): that answer
    // stands. No longer on offer (fresh times came): choose again.
    function landed() {
      return currentLead().then(function (view) {
        if (!view) return null;
        if (view.booking && view.booking.proposalId === proposal.id) return { status: 200, data: { booking: view.booking } };
        var onOffer = (view.proposals || []).some(function (p) { return p.id === proposal.id; });
        if (!onOffer) {
          return { status: 409, data: { error: { code: 'lead_state_conflict', message: 'Those times are no longer on offer. Please choose one of the latest times.' } } };
        }
        return false;
      });
    }
    callRetrying('POST', leadPath('/booking'), { proposalId: proposal.id }, landed, waitingNotice).then(function (r) {
      booking = false;
      if (r.status === 200) {
        var moved = !!meeting && stage === 'rescheduling';
        showMeeting({ stage: 'booked', booking: r.data.booking, meeting: { outcome: 'scheduled', reschedules: meeting ? meeting.meeting.reschedules + (moved ? 1 : 0) : 0 } });
        setStage('booked');
        statusText.textContent = moved ? 'Your meeting is now ' + when(r.data.booking, longFormat) : STAGE_TEXT.booked;
        confirmBox.focus();
        scheduleRefresh();
        return;
      }
      button.setAttribute('aria-pressed', 'false');
      var code = r.data && r.data.error && r.data.error.code;
      if (r.status === 409 && code === 'slot_conflict' && r.data.proposals && r.data.proposals.length) {
        showNotice('That time was just taken — please choose one of the new times above.');
        statusText.textContent = meeting ? STAGE_TEXT.rescheduling : STAGE_TEXT.awaiting_reply;
        var key = r.data.proposals.map(function (p) { return p.id; }).join(',');
        var fresh = offered[key];
        if (!fresh) {
          fresh = offerTimes(key, r.data.proposals);
          log.append(fresh);
          scrollDown();
        }
        var first = fresh.querySelector('.slot:not(:disabled)');
        if (first) first.focus();
        return;
      }
      if (r.status === 409) {
        showNotice(errorText(r, 'We could not book that time.'), false);
        setStage(stage);
        return;
      }
      showNotice(errorText(r, 'That time is no longer available.'), true);
      group.querySelectorAll('.slot').forEach(function (b) { b.disabled = false; });
      setStage(stage);
    }, function () {
      booking = false;
      button.setAttribute('aria-pressed', 'false');
      group.querySelectorAll('.slot').forEach(function (b) { b.disabled = false; });
      showNotice('We could not reach our scheduling service. Please try again.', true);
    });
  }

  // ── The meeting, once booked ─────────────────────────────────────────────
  // Who the buyer meets is in the agent's own words (the buyer's view carries times, not names):
  // the confirmation, a move, a cover, a reminder. test/web/widget-meeting.test.ts holds these
  // patterns to the wording in domain/converse/, so a change there fails a test instead of this card.
  var WHO = [
    / — (.+?) will meet you /, // confirmation: "You're all set, Jane — Sarah Chen will meet you tomorrow at 2pm ..."
    /your meeting with (.+?) is now /, // moved: "Done — your meeting with Sarah is now Friday at 10am ..."
    /: (.+?) will join instead of /, // cover: "A quick update, Jane: Tom will join instead of Sarah ..."
    /\) with (.+?) — reply here if anything changes/, // reminder: "See you tomorrow at 2pm (Pacific) with Sarah — reply here ..."
    /your call with (.+?) is in /, // reminder: "Starting soon: your call with Sarah is in an hour ..."
  ];
  function whoFrom(text) {
    for (var i = 0; i < WHO.length; i++) {
      var m = WHO[i].exec(text || '');
      if (m && m[1].length <= 120) return m[1];
    }
    return '';
  }

  /** What the card says, from the stage and the meeting's outcome. */
  function meetingState(view) {
    var outcome = view.meeting ? view.meeting.outcome : 'scheduled';
    if (view.stage === 'canceled' || outcome === 'canceled') return 'canceled';
    if (view.stage === 'held' || outcome === 'held') return 'held';
    if (outcome === 'no_show' || outcome === 'rep_no_show') return outcome;
    if (Date.parse(view.booking.end) <= Date.now()) return 'past';
    return view.stage === 'rescheduling' ? 'rescheduling' : 'booked';
  }
  var CARD = {
    booked: 'Meeting confirmed',
    rescheduling: 'Meeting confirmed',
    past: 'Your meeting',
    held: 'Meeting held',
    no_show: 'We missed you',
    rep_no_show: 'Sorry we missed you',
    canceled: 'Meeting canceled',
  };

  function showMeeting(view) {
    var first = !confirmed;
    confirmed = true;
    meeting = { stage: view.stage, booking: view.booking, meeting: view.meeting || { outcome: 'scheduled', reschedules: 0 } };
    var reschedules = meeting.meeting.reschedules;
    (view.messages || []).forEach(function (m) { if (m.from === 'agent') meetingWith = whoFrom(m.text) || meetingWith; });
    var state = meetingState(meeting);
    var b = view.booking;
    var final = FINAL.indexOf(view.stage) >= 0;
    confirmBox.setAttribute('data-state', state);
    $('#bt-meeting-h').textContent = CARD[state];
    $('#bt-when').textContent = when(b, longFormat);
    var withBox = $('#bt-with');
    withBox.textContent = meetingWith ? 'With ' + meetingWith : '';
    withBox.hidden = !meetingWith;
    var note = {
      booked: reschedules > 0 ? 'The calendar invitation has been updated.' : 'A calendar invitation is on its way' + (session && session.email ? ' to ' + session.email : '') + '.',
      rescheduling: 'New times are offered in the conversation. This meeting stays booked until you pick one.',
      past: 'This meeting’s time has passed. Reply below if there is anything we can do.',
      held: 'Thanks for meeting with us!',
      no_show: final ? 'This conversation has ended.' : 'Pick one of the new times in the conversation, or tell us what suits you.',
      rep_no_show: 'Pick one of the new times in the conversation, or tell us what suits you.',
      canceled: 'The invitation has been withdrawn. To talk to us again, start a new request.',
    }[state];
    $('#bt-meeting-note').textContent = note;
    var link = $('#bt-join-link');
    var showLink = !!(b.meetLink && /^https:\/\//.test(b.meetLink)) && (state === 'booked' || state === 'rescheduling' || state === 'past');
    if (showLink) link.setAttribute('href', b.meetLink);
    $('#bt-join').hidden = !showLink;
    var changeable = (state === 'booked' || state === 'rescheduling') && !final;
    $('#bt-meeting-actions').hidden = !changeable;
    if (!changeable) closeAsk(null, false);
    $('#bt-cancel-q').textContent = 'Cancel this meeting? ' + (meetingWith ? meetingWith + ' will be told' : 'We will tell the team') + ' and the invitation withdrawn.';
    confirmBox.hidden = false;
    statusBox.setAttribute('data-final', '');
    if (first) confirmBox.focus();
  }

  var rescheduleButton = $('#bt-reschedule');
  var cancelButton = $('#bt-cancel');
  var rescheduleForm = $('#bt-reschedule-form');
  var cancelForm = $('#bt-cancel-form');

  /** One question open at a time under the card; closing it gives focus back to its button. */
  function openAsk(form, button, focus) {
    closeAsk(null, false);
    form.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    focus.focus();
  }
  function closeAsk(form, refocus) {
    [[rescheduleForm, rescheduleButton], [cancelForm, cancelButton]].forEach(function (pair) {
      if (form && pair[0] !== form) return;
      pair[0].hidden = true;
      pair[1].setAttribute('aria-expanded', 'false');
      if (refocus && !$('#bt-meeting-actions').hidden) pair[1].focus();
    });
  }
  rescheduleButton.addEventListener('click', function () {
    if (!rescheduleForm.hidden) return closeAsk(rescheduleForm, true);
    openAsk(rescheduleForm, rescheduleButton, $('#bt-reschedule-text'));
  });
  cancelButton.addEventListener('click', function () {
    if (!cancelForm.hidden) return closeAsk(cancelForm, true);
    openAsk(cancelForm, cancelButton, $('#bt-cancel-reason'));
  });
  [rescheduleForm, cancelForm].forEach(function (form) {
    form.querySelector('[data-close]').addEventListener('click', function () { closeAsk(form, true); });
    form.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape') { ev.preventDefault(); closeAsk(form, true); }
    });
  });

  /**
   * Reschedule is a message, as if typed: the workflow understands it like any other ("Can we find
   * another time? Friday morning"), offers new times from the same people, and keeps the meeting
   * until one is picked. The question makes the intent plain whatever the buyer adds.
   */
  function rescheduleMessage(words) {
    words = (words || '').trim();
    return words ? 'Can we find another time? ' + words : 'Can we find another time?';
  }
  rescheduleForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var input = $('#bt-reschedule-text');
    var submit = rescheduleForm.querySelector('button[type=submit]');
    submit.disabled = true;
    sendMessage(rescheduleMessage(input.value)).then(function (ok) {
      submit.disabled = false;
      if (!ok) return;
      input.value = '';
      closeAsk(rescheduleForm, false);
      statusText.textContent = 'Asking for new times…';
      log.focus();
    });
  });

  cancelForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var reason = $('#bt-cancel-reason').value.trim();
    var submit = cancelForm.querySelector('button[type=submit]');
    submit.disabled = true;
    statusText.textContent = 'Canceling your meeting…';
    // Canceled meanwhile (the first attempt went through, its answer lost): that stands.
    function landed() {
      return currentLead().then(function (view) {
        if (!view) return null;
        return view.stage === 'canceled' ? { status: 200, data: { stage: view.stage, booking: view.booking } } : false;
      });
    }
    callRetrying('POST', leadPath('/cancel'), reason ? { reason: reason } : {}, landed, waitingNotice).then(function (r) {
      submit.disabled = false;
      if (r.status === 200) {
        showNotice('');
        closeAsk(cancelForm, false);
        showMeeting({ stage: 'canceled', booking: r.data.booking || meeting.booking, meeting: { outcome: 'canceled', reschedules: meeting.meeting.reschedules } });
        confirmBox.focus();
        // The stream brings the agent's confirmation, then the final stage (which closes it).
        scheduleRefresh();
        return;
      }
      setStage(stage);
      showNotice(errorText(r, 'We could not cancel the meeting.'), r.status !== 409);
      scheduleRefresh();
    }, function () {
      submit.disabled = false;
      setStage(stage);
      showNotice('We could not reach our scheduling service. Please try again.', true);
    });
  });

  // ── Free text ────────────────────────────────────────────────────────────
  /**
   * Sends the buyer's words to the conversation; resolves to true once the API took them. A 503 is
   * retried (never twice: `landed` looks for the message first); the answer comes through the stream.
   */
  function sendMessage(text) {
    // Messages already in the conversation before this one: a later one with the same text is this one.
    var before = {};
    for (var id in seen) before[id] = true;
    function landed() {
      return currentLead().then(function (view) {
        if (!view) return null;
        var mine = (view.messages || []).some(function (m) { return m.from === 'buyer' && m.text === text && !before[m.id]; });
        return mine ? { status: 202, data: { leadId: session.leadId } } : false;
      });
    }
    return callRetrying('POST', leadPath('/messages'), { text: text }, landed, waitingNotice).then(function (r) {
      if (r.status === 202) {
        showNotice('');
        return true;
      }
      if (r.status === 409) {
        showNotice('This conversation is closed. Start a new request to talk to us again.');
        replyForm.hidden = true;
      } else {
        showNotice(errorText(r, 'Your message could not be sent.'), true);
      }
      return false;
    }, function () {
      showNotice('We could not reach our scheduling service. Please try again.', true);
      return false;
    });
  }

  replyForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = replyInput.value.trim();
    if (!text) return replyInput.focus();
    var send = replyForm.querySelector('button');
    send.disabled = true;
    sendMessage(text).then(function (ok) {
      send.disabled = false;
      if (ok) replyInput.value = '';
    });
  });

  function restart(message) {
    if (source) source.close();
    source = null;
    session = null;
    save(null);
    seen = {};
    offered = {};
    stage = null;
    confirmed = false;
    meeting = null;
    meetingWith = '';
    clearTimeout(refreshTimer);
    closeAsk(null, false);
    log.textContent = '';
    confirmBox.hidden = true;
    replyForm.hidden = false;
    statusBox.removeAttribute('data-final');
    showNotice('');
    chat.hidden = true;
    startForm.hidden = false;
    $('#bt-sub').hidden = false;
    var formErr = $('#bt-form-err');
    formErr.className = 'notice';
    formErr.textContent = message || '';
    formErr.hidden = !message;
    $('#bt-email').focus();
  }
  $('#bt-restart').addEventListener('click', function () { restart(''); });

  // A reload in the same tab picks the conversation up again.
  session = load();
  if (session && session.leadId && session.buyerToken) openChat(false);
  else session = null;
})();
