/* Follows an export job (templates/jobs/show.html): polls its state every 2 s and shows the
   download link when the file is ready. An external file: the CSP runs no inline script. */
(function () {
  'use strict';
  var box = document.getElementById('job-state');
  if (!box) { return; }
  var url = box.getAttribute('data-state-url');
  function show(s) {
    document.getElementById('job-label').textContent = s.label;
    document.getElementById('job-detail').textContent = s.detail;  // in the page's language
    var bar = document.getElementById('job-bar');
    bar.style.width = (s.status === 'done' || s.status === 'failed') ? '100%' : (s.status === 'running' ? '60%' : '15%');
    if (s.download) {
      var p = document.getElementById('job-download');
      p.querySelector('a').setAttribute('href', s.download);
      p.hidden = false;
      bar.classList.remove('active', 'progress-bar-striped');
    }
    if (s.status === 'failed') { document.getElementById('job-failed').hidden = false; }
    return s.status === 'queued' || s.status === 'running';
  }
  function poll() {
    fetch(url, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
      .then(function (r) { return r.json(); })
      .then(function (s) { if (show(s)) { window.setTimeout(poll, 2000); } })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
}());
