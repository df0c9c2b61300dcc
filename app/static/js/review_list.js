/* The filing list's batch acceptance: the header checkbox ticks every 待审核 row of the page. */
(function () {
  "use strict";
  var all = document.getElementById("check-all");
  if (!all) { return; }
  var picks = function () { return document.querySelectorAll("#filings input.batch-pick"); };
  all.addEventListener("change", function () {
    picks().forEach(function (box) { box.checked = all.checked; });
  });
  document.getElementById("filings").addEventListener("change", function (event) {
    if (!event.target.classList.contains("batch-pick")) { return; }
    var boxes = Array.prototype.slice.call(picks());
    all.checked = boxes.length > 0 && boxes.every(function (box) { return box.checked; });
  });
}());
