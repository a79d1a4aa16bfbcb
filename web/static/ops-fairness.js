/*
 * Baton ops page, Fairness tab: per pool (`GET /v1/ops/fairness`), a bar per rep for their leads
 * this window against a line at their weighted share, the distance between them, cap use,
 * booked / held / no-show, and for learning pools the held rate of learned leads against the holdout's.
 * Plain JS on top of ops.js (`window.BatonOps`), no dependencies.
 */
(function () {
  'use strict';

  var ops = window.BatonOps;
  if (!ops) return;
  var el = ops.el;
  var $ = function (id) { return document.getElementById(id); };
  var number = function (x) { return Math.round(x * 10) / 10; };
  var signed = function (x) { return (x > 0 ? '+' : x < 0 ? '−' : '±') + number(Math.abs(x)); };
  var percent = function (x) { return x == null ? '—' : Math.round(x * 100) + '%'; };

  function loadFairness(fromKeyForm) {
    var status = $('fairness-status');
    status.textContent = 'Loading…';
    ops.call('/v1/ops/fairness').then(function (r) {
      if (!ops.admitted(r, fromKeyForm)) return;
      var box = $('fairness-pools');
      box.textContent = '';
      if (r.status !== 200) {
        status.textContent = (r.data.error && r.data.error.message) || 'Could not load fairness (' + r.status + ').';
        return;
      }
      status.textContent = r.data.pools.length
        ? r.data.pools.length + (r.data.pools.length === 1 ? ' pool' : ' pools') + ' · updated ' + new Date().toLocaleTimeString()
        : 'No pool has taken a turn yet: pools appear here after their first lead.';
      r.data.pools.forEach(function (pool) { box.append(renderPool(pool)); });
    }, function () { status.textContent = 'Could not reach the Baton API.'; });
  }

  function renderPool(pool) {
    var scale = Math.max(1, Math.max.apply(null, pool.members.map(function (m) { return Math.max(m.count, m.share); }))) * 1.15;
    var windowText = pool.window.kind === 'never' ? 'since the pool started' : 'this ' + pool.window.kind + ' (' + pool.window.key.slice(2) + ')';
    var rows = pool.members.map(function (m) {
      var label = m.name + ': ' + m.count + ' ' + (m.count === 1 ? 'lead' : 'leads') + ', weighted share ' + number(m.share) + ' (' + signed(m.distance) + ')';
      var bar = el('div', { class: 'bar', role: 'img', 'aria-label': label, title: label }, [
        el('div', { class: 'fill' + (Math.abs(m.distance) >= 1 ? ' off' : ''), style: 'width:' + (100 * m.count / scale).toFixed(1) + '%' }),
        el('div', { class: 'mark', style: 'left:' + (100 * m.share / scale).toFixed(1) + '%' }),
      ]);
      var cap = m.cap
        ? el('span', { class: m.cap.reached ? 'flag' : '', text: m.cap.used + ' of ' + m.cap.count + ' per ' + m.cap.per + (m.cap.reached ? ' · at cap' : '') })
        : el('span', { class: 'muted', text: 'no cap' });
      return el('tr', { 'data-rep': m.id, class: m.available ? '' : 'away' }, [
        el('th', { scope: 'row' }, [
          el('div', { class: 'who', text: m.name }),
          el('div', { class: 'muted small', text: 'weight ' + m.weight + (m.available ? '' : ' · not taking leads now') }),
        ]),
        el('td', { class: 'bar-cell' }, [bar, el('div', { class: 'small', text: m.count + ' of a ' + number(m.share) + ' share' })]),
        el('td', { class: 'distance ' + (m.distance > 0 ? 'ahead' : m.distance < 0 ? 'behind' : ''), text: signed(m.distance) }),
        el('td', {}, [cap]),
        el('td', { text: String(m.booked) }),
        el('td', { text: String(m.held) }),
        el('td', { text: String(m.noShow + m.repNoShow) }),
      ]);
    });
    var learning = pool.learning
      ? el('p', { class: 'small learning' }, [
          el('strong', { text: 'Learning (' + pool.learning.metric + '): ' }),
          document.createTextNode(
            'learned leads held ' + percent(pool.learning.measured.learned.rate) + ' of ' + pool.learning.measured.learned.meetings +
            ', holdout ' + percent(pool.learning.measured.holdout.rate) + ' of ' + pool.learning.measured.holdout.meetings +
            (pool.learning.measured.lift == null ? '' : ' (lift ' + signed(pool.learning.measured.lift * 100) + '%)') +
            '; nobody under ' + percent(pool.learning.minShare) + ' of their share.',
          ),
        ])
      : null;
    return el('section', { class: 'pool', 'data-pool': pool.id, 'aria-labelledby': 'pool-' + pool.id }, [
      el('h3', { id: 'pool-' + pool.id, text: pool.name }),
      el('p', { class: 'muted small', text: pool.distribution.replace('_', ' ') + ' · counting ' + pool.count + ' meetings ' + windowText + (pool.calibrate ? ' · calibrated' : '') }),
      el('table', {}, [
        el('caption', { class: 'sr-only', text: pool.name + ': leads against weighted share, ' + windowText }),
        el('thead', {}, [el('tr', {}, ['Rep', 'Leads vs share', 'Distance', 'Cap', 'Booked', 'Held', 'No-show'].map(function (h) { return el('th', { scope: 'col', text: h }); }))]),
        el('tbody', {}, rows),
      ]),
      learning,
    ]);
  }

  ops.tab('tab-fairness', loadFairness);
})();
