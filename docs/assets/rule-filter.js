/*
 * The rule catalog's filters (docs/rules.md, written by scripts/rule_pages.py): show only
 * the rows of one domain and/or one severity. Each row carries its domain and severity on
 * the cells ([data-domain], [data-severity]).
 *
 * Material's `document$` emits on the first load and after every instant navigation, so the
 * controls are wired up whenever the catalog is shown, however it was reached.
 */
(function () {
  "use strict";

  function rowsOf(panel) {
    var scope = panel.closest("article") || document;
    return Array.prototype.filter.call(scope.querySelectorAll("tbody tr"), function (row) {
      return row.querySelector("[data-domain]") && row.querySelector("[data-severity]");
    });
  }

  function setUp() {
    var panel = document.querySelector("[data-psk-filter]");
    if (!panel || panel.dataset.pskReady) return;
    panel.dataset.pskReady = "true";
    var selects = panel.querySelectorAll("select[data-psk-filter-by]");
    var count = panel.querySelector(".psk-filter-count");
    var rows = rowsOf(panel);

    function apply() {
      var wanted = {};
      selects.forEach(function (select) {
        wanted[select.dataset.pskFilterBy] = select.value;
      });
      var shown = 0;
      rows.forEach(function (row) {
        var match = Object.keys(wanted).every(function (key) {
          var cell = row.querySelector("[data-" + key + "]");
          return !wanted[key] || (cell && cell.getAttribute("data-" + key) === wanted[key]);
        });
        row.hidden = !match;
        if (match) shown += 1;
      });
      if (count) count.textContent = shown + " of " + rows.length + " rules";
    }

    selects.forEach(function (select) {
      select.addEventListener("change", apply);
    });
    panel.hidden = false;
    apply();
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(setUp);
  } else {
    document.addEventListener("DOMContentLoaded", setUp);
  }
})();
