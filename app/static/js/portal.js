/* The portal's page behaviour, as listeners (the Content-Security-Policy allows no inline
   event handlers and no inline script without the response's nonce; see app/web.py). */
(function () {
  'use strict';

  // <button data-print>: print the page (the analysis report).
  document.querySelectorAll('[data-print]').forEach(function (btn) {
    btn.addEventListener('click', function () { window.print(); });
  });

  // The notice form: show the unit kinds or the unit list that matches the chosen audience.
  var audience = document.querySelectorAll('input[name=audience]');
  var kinds = document.getElementById('audience-kinds');
  var units = document.getElementById('audience-units');
  if (audience.length && kinds && units) {
    var sync = function () {
      var checked = document.querySelector('input[name=audience]:checked');
      var v = checked ? checked.value : '';
      kinds.style.display = v === 'kinds' ? '' : 'none';
      units.style.display = v === 'units' ? '' : 'none';
    };
    audience.forEach(function (r) { r.addEventListener('change', sync); });
    sync();
  }

  // Tables that scroll inside their box (the statistics tables, FAB's lists): a keyboard user
  // must be able to reach and scroll them (WCAG 2.1.1), so each one that overflows becomes a
  // named region in the tab order — named by its aria-label, its table's caption, or the
  // heading before it.
  var regionName = function (box) {
    var caption = box.querySelector('caption');
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    for (var el = box.previousElementSibling; el; el = el.previousElementSibling) {
      if (/^H[1-6]$/.test(el.tagName) && el.textContent.trim()) return el.textContent.trim();
    }
    var h = document.querySelector('main h1, main h2, main h3');
    return (h && h.textContent.trim()) || document.title;
  };
  var markScrollRegions = function () {
    document.querySelectorAll('.report-wrap, .table-responsive, [data-scroll-region]').forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (scrolls && !box.hasAttribute('tabindex')) {
        box.setAttribute('tabindex', '0');
        box.setAttribute('role', 'region');
        box.setAttribute('data-scroll-region', '');
        if (!box.getAttribute('aria-label')) box.setAttribute('aria-label', regionName(box).replace(/\s+/g, ' '));
      }
    });
  };
  markScrollRegions();
  window.addEventListener('load', markScrollRegions);
  window.addEventListener('resize', markScrollRegions);

  // FAB's bulk-action checkboxes (every FAB list widget draws them without a label; they work only
  // with script, as do the actions they feed): 全选, and 选择 <the row's first cell of data — not
  // the checkbox's, not the show/edit/delete buttons'>.
  var en = document.documentElement.lang === 'en';
  var all = document.querySelector('input.action_check_all');
  if (all && !all.getAttribute('aria-label')) all.setAttribute('aria-label', en ? 'Select all' : '全选');
  document.querySelectorAll('input.action_check').forEach(function (box) {
    if (box.getAttribute('aria-label')) return;
    var row = box.closest('tr');
    var name = '';
    if (row) {
      var cells = row.querySelectorAll('td');
      for (var i = 0; i < cells.length && !name; i++) {
        if (!cells[i].querySelector('input, .btn, .btn-group')) name = cells[i].innerText.replace(/\s+/g, ' ').trim();
      }
    }
    box.setAttribute('aria-label', (en ? 'Select ' : '选择 ') + (name || box.value));
  });

  // FAB's list filters (ab_filters.js adds a row per filter: the column, an operation select and
  // a value field, none of them labelled): each control gets the column's name as its label.
  var filterTable = document.querySelector('#filter_form table.filters');
  if (filterTable) {
    var operation = en ? 'condition' : '条件';
    var labelFilters = function () {
      filterTable.querySelectorAll('tr').forEach(function (row) {
        var remove = row.querySelector('a.remove-filter');
        var column = remove ? remove.textContent.replace('\u00d7', '').trim() : '';
        row.querySelectorAll('select, input, textarea').forEach(function (field) {
          if (field.type === 'hidden' || field.getAttribute('aria-label')) return;
          field.setAttribute('aria-label', field.classList.contains('filter-op') ? column + ' ' + operation : column);
        });
      });
    };
    labelFilters();
    new MutationObserver(labelFilters).observe(filterTable, {childList: true, subtree: true});
  }
})();
