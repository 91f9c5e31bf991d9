// Filters for the findings. Without this script every finding is shown and
// the filter form stays hidden; with it, the form appears and <body> gets
// data-filters="ready".
(function () {
  'use strict';
  var form = document.getElementById('filters');
  if (!form) {
    document.body.setAttribute('data-filters', 'ready');
    return;
  }
  var findings = Array.prototype.slice.call(document.querySelectorAll('article.finding'));
  var shown = document.getElementById('shown');
  var none = document.getElementById('no-match');

  function selected() {
    var severities = {};
    Array.prototype.forEach.call(form.querySelectorAll('input[name=severity]'), function (box) {
      severities[box.value] = box.checked;
    });
    var tentative = form.querySelector('input[name=tentative]');
    return {
      severities: severities,
      family: form.querySelector('select[name=family]').value,
      tentative: tentative ? tentative.checked : true,
      text: form.querySelector('input[name=q]').value.trim().toLowerCase()
    };
  }

  function apply() {
    var s = selected();
    var visible = 0;
    findings.forEach(function (f) {
      var ok = s.severities[f.getAttribute('data-severity')] !== false &&
        (s.family === '' || f.getAttribute('data-family') === s.family) &&
        (s.tentative || f.getAttribute('data-confidence') !== 'tentative') &&
        (s.text === '' || f.textContent.toLowerCase().indexOf(s.text) !== -1);
      f.hidden = !ok;
      if (ok) {
        visible++;
      }
    });
    shown.textContent = visible === findings.length
      ? findings.length + (findings.length === 1 ? ' finding' : ' findings')
      : 'showing ' + visible + ' of ' + findings.length + ' findings';
    none.hidden = visible !== 0;
    document.body.setAttribute('data-visible', String(visible));
  }

  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  Array.prototype.forEach.call(form.querySelectorAll('button[data-details]'), function (button) {
    button.addEventListener('click', function () {
      var open = button.getAttribute('data-details') === 'open';
      findings.forEach(function (f) {
        if (f.hidden) {
          return;
        }
        Array.prototype.forEach.call(f.querySelectorAll('details'), function (d) { d.open = open; });
      });
    });
  });
  form.hidden = false;
  apply();
  document.body.setAttribute('data-filters', 'ready');
}());

// Filters for the coverage matrix: by state, family, reason, operation and
// how the operation was found.
// A family hides the other columns; a row stays when one of its visible
// cells matches the states and the reason. Without this script the whole
// matrix is shown; with it, <body> gets data-coverage="ready".
(function () {
  'use strict';
  var form = document.getElementById('coverage-filters');
  if (!form) {
    document.body.setAttribute('data-coverage', 'ready');
    return;
  }
  var table = document.querySelector('table.matrix');
  var rows = Array.prototype.slice.call(table.querySelectorAll('tbody tr'));
  var heads = Array.prototype.slice.call(table.querySelectorAll('thead th[data-family]'));
  var shown = document.getElementById('coverage-shown');
  var none = document.getElementById('coverage-no-match');
  var reasonSelect = form.querySelector('select[name=reason]');
  var sourceSelect = form.querySelector('select[name=source]');

  function apply() {
    var states = {};
    Array.prototype.forEach.call(form.querySelectorAll('input[name=state]'), function (box) {
      states[box.value] = box.checked;
    });
    var family = form.querySelector('select[name=family]').value;
    var reason = reasonSelect ? reasonSelect.value : '';
    var text = form.querySelector('input[name=op]').value.trim().toLowerCase();
    var source = sourceSelect ? sourceSelect.value : '';
    heads.forEach(function (th) {
      th.hidden = family !== '' && th.getAttribute('data-family') !== family;
    });
    var visible = 0;
    rows.forEach(function (row) {
      var match = false;
      Array.prototype.forEach.call(row.querySelectorAll('td.cell'), function (td) {
        var inColumn = family === '' || td.getAttribute('data-family') === family;
        td.hidden = !inColumn;
        var state = td.getAttribute('data-state');
        var ok = inColumn && state !== null && states[state] !== false &&
          (reason === '' || td.getAttribute('data-reason') === reason);
        td.classList.toggle('dim', !ok);
        if (ok) {
          match = true;
        }
      });
      var show = match && (text === '' || row.getAttribute('data-op').indexOf(text) !== -1) &&
        (source === '' || row.getAttribute('data-source') === source);
      row.hidden = !show;
      if (show) {
        visible++;
      }
    });
    shown.textContent = visible === rows.length
      ? rows.length + (rows.length === 1 ? ' operation' : ' operations')
      : 'showing ' + visible + ' of ' + rows.length + ' operations';
    none.hidden = visible !== 0;
    document.body.setAttribute('data-coverage-visible', String(visible));
  }

  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  form.hidden = false;
  apply();
  document.body.setAttribute('data-coverage', 'ready');
}());
