/*
 * Baton buyer chat widget: a "Schedule a demo" card that starts a lead, streams the agent's
 * messages, offers the proposed times as buttons (in the buyer's own time zone) and books one.
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
    unresponsive: 'This conversation has ended',
    disqualified: 'This conversation has ended',
    declined: 'This conversation has ended',
    needs_attention: 'A teammate will follow up with you',
  };
  var FINAL = ['booked', 'unresponsive', 'disqualified', 'declined'];

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
    '  <div class="confirm" id="bt-confirm" role="status" tabindex="-1" hidden></div>' +
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
  var confirmed = false;

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
          if (r.data.booking && !confirmed) showConfirmation(r.data.booking);
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
    if (e.type === 'stage') return setStage(e.stage);
    if (e.type === 'message' && e.message) addMessage(e.message);
  }

  function setStage(next) {
    stage = next;
    statusText.textContent = STAGE_TEXT[next] || next;
    if (isFinal()) statusBox.setAttribute('data-final', '');
    if (next === 'booked' && !confirmed) refreshLead();
    if (isFinal()) {
      if (source) { source.close(); source = null; }
      replyForm.hidden = true;
      disableAllSlots();
    }
    if (next === 'needs_attention') disableAllSlots();
  }

  function addMessage(m) {
    var item = el('li', { class: 'msg ' + (m.from === 'buyer' ? 'buyer' : 'agent') }, [
      el('span', { class: 'who', text: m.from === 'buyer' ? 'You: ' : 'Baton: ' }),
    ]);
    item.append(document.createTextNode(m.text));
    log.append(item);
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
      // The stream may lag behind: a final stage seen here wins.
      if (FINAL.indexOf(r.data.stage) >= 0 && !isFinal()) setStage(r.data.stage);
      if (r.data.booking && !confirmed) showConfirmation(r.data.booking);
      return r.data;
    }, function () { return null; });
  }

  /** A group of buttons, one per proposed time, in the buyer's own time zone. */
  function offerTimes(key, proposals) {
    expireOffers();
    var group = el('li', { class: 'times' });
    var fieldset = el('fieldset', { class: 'times' }, [el('legend', { text: 'Choose a time (shown in your time zone, ' + zone + ')' })]);
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
    // Booked meanwhile: that answer stands. No longer on offer (fresh times came): choose again.
    function landed() {
      return currentLead().then(function (view) {
        if (!view) return null;
        if (view.booking) return { status: 200, data: { booking: view.booking } };
        var onOffer = (view.proposals || []).some(function (p) { return p.id === proposal.id; });
        if (!onOffer || view.stage !== 'awaiting_reply') {
          return { status: 409, data: { error: { code: 'lead_state_conflict', message: 'Those times are no longer on offer. Please choose one of the latest times.' } } };
        }
        return false;
      });
    }
    callRetrying('POST', leadPath('/booking'), { proposalId: proposal.id }, landed, waitingNotice).then(function (r) {
      booking = false;
      if (r.status === 200) return showConfirmation(r.data.booking);
      button.setAttribute('aria-pressed', 'false');
      var code = r.data && r.data.error && r.data.error.code;
      if (r.status === 409 && code === 'slot_conflict' && r.data.proposals && r.data.proposals.length) {
        showNotice('That time was just taken — please choose one of the new times above.');
        statusText.textContent = STAGE_TEXT.awaiting_reply;
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

  function showConfirmation(b) {
    if (confirmed) return;
    confirmed = true;
    disableAllSlots();
    showNotice('');
    confirmBox.textContent = '';
    confirmBox.append(
      el('h3', { text: 'Meeting confirmed' }),
      el('p', { class: 'when', text: when(b, longFormat) }),
      el('p', { text: 'A calendar invitation is on its way' + (session && session.email ? ' to ' + session.email : '') + '.' }),
    );
    if (b.meetLink && /^https:\/\//.test(b.meetLink)) {
      confirmBox.append(el('p', {}, [el('a', { href: b.meetLink, target: '_blank', rel: 'noopener noreferrer', text: 'Join link' })]));
    }
    confirmBox.hidden = false;
    replyForm.hidden = true;
    statusText.textContent = STAGE_TEXT.booked;
    statusBox.setAttribute('data-final', '');
    confirmBox.focus();
  }

  replyForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = replyInput.value.trim();
    if (!text) return replyInput.focus();
    var send = replyForm.querySelector('button');
    send.disabled = true;
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
    callRetrying('POST', leadPath('/messages'), { text: text }, landed, waitingNotice).then(function (r) {
      send.disabled = false;
      if (r.status === 202) {
        replyInput.value = '';
        showNotice('');
      } else if (r.status === 409) {
        showNotice('This conversation is closed. Start a new request to talk to us again.');
        replyForm.hidden = true;
      } else {
        showNotice(errorText(r, 'Your message could not be sent.'), true);
      }
    }, function () {
      send.disabled = false;
      showNotice('We could not reach our scheduling service. Please try again.', true);
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
