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
})();
