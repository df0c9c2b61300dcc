/* Live sums and checks on the filing form (templates/filing/edit.html), from the form's own
   declaration: <form data-live-rules='{"sums": [...], "limits": [...]}'> (FormSpec.live_rules).
   A sum's result left empty is filled in (and kept in step while the user has not typed it);
   a typed result that differs, and a part larger than its whole, are marked at the field.
   Only a help: the server runs every rule on save. No framework, no inline script (CSP). */
(function () {
  'use strict';
  var form = document.getElementById('filing-form');
  if (!form || !form.dataset.liveRules) { return; }
  var rules;
  try { rules = JSON.parse(form.dataset.liveRules); } catch (e) { return; }
  var sums = rules.sums || [], limits = rules.limits || [];

  function input(name) { return document.getElementById(name); }
  function label(name) { var el = input(name); return el ? (el.dataset.label || name) : name; }
  function quoted(names) { return names.map(function (n) { return '「' + label(n) + '」'; }).join('、'); }
  // Many parts are named by the first and their number: 「警告」等14项.
  function parts(names) { return names.length <= 3 ? quoted(names) : quoted(names.slice(0, 1)) + '等' + names.length + '项'; }

  // A typed figure as a number (counts; money in yuan, 2 decimals), or null when empty or unreadable.
  function value(name) {
    var el = input(name);
    if (!el) { return null; }
    var text = el.value.replace(/[,，\s]/g, '');
    if (!/^\d+(\.\d{1,2})?$/.test(text)) { return null; }
    return el.dataset.kind === 'money' ? Math.round(parseFloat(text) * 100) : parseInt(text, 10);
  }
  function show(name, v) {
    var el = input(name);
    return el && el.dataset.kind === 'money' ? (v / 100).toFixed(2) : String(v);
  }
  function total(names) {
    var s = 0;
    for (var i = 0; i < names.length; i++) {
      var v = value(names[i]);
      if (v === null) { return null; }
      s += v;
    }
    return s;
  }

  // A result filled in by this script (not typed): kept in step with its parts.
  sums.forEach(function (r) {
    var el = input(r.result);
    if (el && el.value.trim() === '') { el.dataset.auto = '1'; }
  });
  form.addEventListener('input', function (ev) {
    var el = ev.target;
    if (el && el.dataset) { delete el.dataset.auto; }
    // The server's message about this field is stale once it is edited: the live hint takes over.
    var cell = el && el.closest ? el.closest('.filing-cell') : null;
    if (cell) {
      cell.classList.remove('has-error', 'has-warning');
      cell.querySelectorAll('.field-error, .field-warning').forEach(function (m) { m.remove(); });
    }
    check();
  });
  function serverSaid(name) {  // a field still showing the server's message gets no live hint
    var cell = form.querySelector('[data-cell="' + name + '"]');
    return cell && cell.querySelector('.field-error, .field-warning');
  }

  function check() {
    var notes = {}, problems = 0;
    function note(name, text, level) {
      (notes[name] = notes[name] || []).push({ text: text, level: level });
      if (level !== 'ok') { problems += 1; }
    }
    sums.forEach(function (r) {
      var plus = total(r.plus), minus = total(r.minus);
      if (plus === null || minus === null) { return; }
      var expected = plus - minus;
      if (expected < 0) { return; }  // a part larger than its whole: the limit below names it
      var el = input(r.result);
      if (!el) { return; }
      var formula = r.minus.length ? parts(r.plus) + '之和减去' + parts(r.minus) : parts(r.plus) + '之和';
      if (el.dataset.auto === '1' && el.value !== show(r.result, expected)) {
        el.value = show(r.result, expected);
      }
      var mine = value(r.result);
      if (mine === expected) {
        note(r.result, '= ' + formula + '（' + show(r.result, expected) + '）' +
             (el.dataset.auto === '1' ? '，已自动计算' : ''), 'ok');
      } else if (mine !== null) {
        note(r.result, '应等于' + formula + '（' + show(r.result, expected) + '）', 'mismatch');
      }
    });
    limits.forEach(function (r) {
      var a = value(r.part), b = total(r.whole);
      if (a === null || b === null || a <= b) { return; }
      var what = r.whole.length === 1 ? quoted(r.whole) : quoted(r.whole).replace(/、/g, '与') + '之和';
      note(r.part, '不能大于' + what + '（' + show(r.whole[0], b) + '）' + (r.level === 'warning' ? '，请说明原因' : ''),
           r.level === 'warning' ? 'warning' : 'mismatch');
    });
    form.querySelectorAll('[data-live-for]').forEach(function (hint) {
      var list = serverSaid(hint.dataset.liveFor) ? [] : (notes[hint.dataset.liveFor] || []);
      var worst = list.some(function (n) { return n.level === 'mismatch'; }) ? 'mismatch'
        : list.some(function (n) { return n.level === 'warning'; }) ? 'warning' : 'ok';
      hint.textContent = list.map(function (n) { return n.text; }).join('；');
      hint.className = 'help-block live-hint' + (list.length ? ' live-' + worst : '');
    });
    var status = document.getElementById('live-status');
    if (status) {
      status.textContent = problems ? '实时核对：' + problems + ' 处不一致（保存时以系统校验为准）' : '';
    }
  }
  check();
})();
