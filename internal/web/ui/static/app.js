/* Jiahe staff UI: validation as you type and the division picker.
   Plain ES2017 for Chrome 80 and later; the pages work without it, and the
   server checks everything again. */
(function () {
  'use strict';

  // GB 11643-1999: ISO 7064 MOD 11-2 check character of an ID number.
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = '10X98765432';

  function realDate(y, m, d) {
    var t = new Date(Date.UTC(y, m - 1, d));
    return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d && y >= 1850;
  }

  // checkID returns '' for a valid number, else the kind of problem:
  // 'length', 'date' or 'check'. It accepts the legacy 15-digit form.
  function checkID(s) {
    s = s.trim().toUpperCase();
    if (/^\d{15}$/.test(s)) {
      var y15 = 1900 + +s.substr(6, 2);
      return realDate(y15, +s.substr(8, 2), +s.substr(10, 2)) ? '' : 'date';
    }
    if (!/^\d{17}[\dX]$/.test(s)) { return 'length'; }
    if (!realDate(+s.substr(6, 4), +s.substr(10, 2), +s.substr(12, 2))) { return 'date'; }
    var sum = 0;
    for (var i = 0; i < 17; i++) { sum += (+s.charAt(i)) * WEIGHTS[i]; }
    return CHECK.charAt(sum % 11) === s.charAt(17) ? '' : 'check';
  }

  // todayISO is today in Beijing time, the day the server counts in,
  // whatever the browser's own time zone.
  function todayISO() {
    var d = new Date(Date.now() + 8 * 3600 * 1000);
    var m = d.getUTCMonth() + 1, day = d.getUTCDate();
    return d.getUTCFullYear() + '-' + (m < 10 ? '0' : '') + m + '-' + (day < 10 ? '0' : '') + day;
  }

  function errorBox(input) {
    return document.getElementById(input.id + '-error');
  }

  // validate checks one field and shows the message next to it.
  function validate(input, eager) {
    var v = input.value.trim();
    var msg = '';
    var d = input.dataset;
    // Clear the message set last time, so that validity shows the
    // browser's own checks of the current value only.
    if (input.setCustomValidity) { input.setCustomValidity(''); }
    if (v === '') {
      if (input.required) { msg = d.msgRequired || input.validationMessage; }
    } else if (input.hasAttribute('data-idcard')) {
      var p = checkID(v);
      if (p === 'length') { msg = (eager || v.length >= 18) ? d.msgLength : ''; }
      else if (p === 'date') { msg = d.msgDate || d.msgIdcard; }
      else if (p === 'check') { msg = d.msgIdcard; }
    } else if (input.type === 'date' && input.hasAttribute('data-max-today') && v > todayISO()) {
      msg = d.msgFuture;
    } else if (d.msgShort && input.minLength > 0 && v.length < input.minLength) {
      msg = d.msgShort;
    } else if (input.validity && input.validity.patternMismatch) {
      msg = d.msgPattern || input.validationMessage;
    } else if (input.validity && !input.validity.valid) {
      msg = input.validationMessage;
    }
    if (input.setCustomValidity) { input.setCustomValidity(msg); }
    var box = errorBox(input);
    if (box) { box.textContent = msg; }
    if (msg) { input.setAttribute('aria-invalid', 'true'); } else { input.removeAttribute('aria-invalid'); }
    if (input.hasAttribute('data-idcard')) {
      if (!msg && v.length >= 15) { input.setAttribute('data-valid', 'true'); fillFromID(input, v); }
      else { input.removeAttribute('data-valid'); }
    }
    return !msg;
  }

  // fillFromID fills the birth date and sex fields named by the ID input,
  // when they are empty, from a valid 18-character number.
  function fillFromID(input, v) {
    v = v.toUpperCase();
    if (v.length !== 18) { return; }
    var b = input.dataset.fillBirth && document.getElementById(input.dataset.fillBirth);
    if (b && !b.value) { b.value = v.substr(6, 4) + '-' + v.substr(10, 2) + '-' + v.substr(12, 2); validate(b); }
    var s = input.dataset.fillSex && document.getElementById(input.dataset.fillSex);
    if (s && !s.value) { s.value = (+v.charAt(16)) % 2 === 1 ? 'M' : 'F'; }
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return (el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA') &&
        el.type !== 'hidden' && el.type !== 'submit' && el.type !== 'checkbox' && el.type !== 'radio' && el.id;
    });
  }

  function setupForm(form) {
    fields(form).forEach(function (el) {
      var box = errorBox(el);
      if (box && box.textContent.trim() !== '') { el.setAttribute('aria-invalid', 'true'); }
      el.addEventListener('input', function () { validate(el, false); });
      el.addEventListener('change', function () { validate(el, true); });
      el.addEventListener('blur', function () { if (el.value !== '') { validate(el, true); } });
    });
    form.addEventListener('submit', function (e) {
      var first = null;
      fields(form).forEach(function (el) {
        if (!validate(el, true) && !first) { first = el; }
      });
      if (first) { e.preventDefault(); first.focus(); }
    });
  }

  // Inputs with data-idcard outside validated forms (quick search).
  function setupLoose(input) {
    if (input.form && input.form.hasAttribute('data-validate')) { return; }
    input.addEventListener('input', function () { validate(input, false); });
    input.form && input.form.addEventListener('submit', function (e) {
      if (input.value.trim() !== '' && !validate(input, true)) { e.preventDefault(); input.focus(); }
    });
  }

  // The division picker: browse the tree from the user's scope through
  // /api/v1/regions/{code}/children and pick a division.
  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  function setupPicker(box) {
    var input = box.querySelector('input');
    var open = box.querySelector('[data-region-open]');
    var tree = box.querySelector('[data-region-tree]');
    var nameEl = box.querySelector('[data-region-name]');
    var root = box.dataset.root || '000000';
    var pickLabel = box.dataset.labelPick || '✓';
    var path = [];

    function showName(code) {
      if (!/^\d{6}(\d{3})?(\d{3})?$/.test(code)) { nameEl.textContent = ''; return; }
      getJSON('/api/v1/regions/' + code).then(function (j) { nameEl.textContent = j.region.full_name || j.region.name; })
        .catch(function () { nameEl.textContent = ''; });
    }

    function choose(code, name) {
      input.value = code;
      nameEl.textContent = name;
      validate(input, true);
      tree.hidden = true;
      open.setAttribute('aria-expanded', 'false');
      input.focus();
    }

    function load(code, name) {
      getJSON('/api/v1/regions/' + code + '/children').then(function (j) {
        tree.innerHTML = '';
        var crumbs = document.createElement('ol');
        path.forEach(function (p, i) {
          var li = document.createElement('li');
          var b = document.createElement('button');
          b.type = 'button'; b.textContent = p.name;
          b.addEventListener('click', function () { path = path.slice(0, i + 1); load(p.code, p.name); });
          li.appendChild(b); crumbs.appendChild(li);
        });
        tree.appendChild(crumbs);
        if (code !== '000000') {
          var here = document.createElement('button');
          here.type = 'button'; here.className = 'small'; here.textContent = pickLabel + ' ' + name;
          here.addEventListener('click', function () { choose(code, name); });
          tree.appendChild(here);
        }
        var ul = document.createElement('ul');
        (j.regions || []).forEach(function (d) {
          var li = document.createElement('li');
          var pick = document.createElement('button');
          pick.type = 'button'; pick.className = 'pick'; pick.textContent = '✓';
          pick.setAttribute('aria-label', pickLabel + ' ' + d.name);
          pick.addEventListener('click', function () { choose(d.code, d.name); });
          var down = document.createElement('button');
          down.type = 'button'; down.textContent = d.name + ' (' + d.level_name + ')';
          down.addEventListener('click', function () { path.push({ code: d.code, name: d.name }); load(d.code, d.name); });
          li.appendChild(pick); li.appendChild(down); ul.appendChild(li);
        });
        tree.appendChild(ul);
        var first = ul.querySelector('button') || here;
        if (first) { first.focus(); }
      }).catch(function () { tree.textContent = '—'; });
    }

    open.addEventListener('click', function () {
      if (!tree.hidden) { tree.hidden = true; open.setAttribute('aria-expanded', 'false'); return; }
      tree.hidden = false;
      open.setAttribute('aria-expanded', 'true');
      path = [{ code: root, name: root === '000000' ? '' : root }];
      getJSON('/api/v1/regions/' + root).then(function (j) { path[0].name = j.region.name; load(root, j.region.name); })
        .catch(function () { path[0].name = '全国'; load(root, ''); });
    });
    tree.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { tree.hidden = true; open.setAttribute('aria-expanded', 'false'); open.focus(); }
    });
    input.addEventListener('change', function () { showName(input.value.trim()); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('form[data-validate]'), setupForm);
    Array.prototype.forEach.call(document.querySelectorAll('input[data-idcard]'), setupLoose);
    Array.prototype.forEach.call(document.querySelectorAll('[data-region-picker]'), setupPicker);
    var problems = document.getElementById('problems');
    if (problems) { problems.focus(); }
    Array.prototype.forEach.call(document.querySelectorAll('[data-print]'), function (b) {
      b.addEventListener('click', function () { window.print(); });
    });
  });

  window.jiaheCheckID = checkID; // for the browser tests
})();
