// Sortable tables: each table the build marked (a .table-sortable wrapper; briefing/hooks.py put
// each figure's number in data-sort and named the columns that sort) sorts with tablesort
// (assets/vendor/tablesort.js) when a reader clicks, or presses Enter or Space on, a header's
// button. The sorted header carries aria-sort and a polite status line says what changed.
// Cells without a figure ("—", "year not stated") go last in either direction.
// Material's instant navigation swaps page content without a reload; its document$ fires on
// the first load and after each swap. Under file:// document$ may never fire, so the page's own
// load event sets up too; each table is set up once. Without scripts the table reads as it is.
(function () {
  "use strict";
  var ready = new WeakSet();
  var self = document.currentScript || document.querySelector('script[src$="assets/tables.js"]');
  var library = new URL("vendor/tablesort.js", self ? self.src : document.baseURI).href;
  var loading = null;

  function withTablesort(callback) {
    if (window.Tablesort) { callback(); return; }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = library;
        script.onload = resolve;
        script.onerror = function () { reject(new Error("could not load " + library)); };
        document.head.appendChild(script);
      });
    }
    loading.then(callback, function (error) { loading = null; console.error("sortable tables: " + error.message); });
  }

  function label(th) {
    return th.textContent.replace(/\s+/g, " ").trim();
  }

  function missingLast(table, column) {
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.slice.call(body.rows).forEach(function (row) {
        var cell = row.cells[column];
        if (cell && cell.getAttribute("data-sort") === "") { body.appendChild(row); }
      });
    });
  }

  function setUp(wrapper) {
    var table = wrapper.querySelector("table");
    if (!table || ready.has(table) || !table.tHead || !window.Tablesort) { return; }
    ready.add(table);
    var headers = Array.prototype.slice.call(table.tHead.rows[table.tHead.rows.length - 1].cells);
    headers.forEach(function (th) {
      if (th.getAttribute("data-sort-method") === "none") { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "table-sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
    });
    var status = document.createElement("p");
    status.className = "table-sort-status";
    status.setAttribute("role", "status"); // a polite live region
    wrapper.appendChild(status);

    window.Tablesort(table);
    // tablesort makes each header a tab stop; the button in it is the one a reader needs
    headers.forEach(function (th) { th.removeAttribute("tabindex"); });
    table.addEventListener("afterSort", function () {
      var sorted = headers.filter(function (th) { return th.hasAttribute("aria-sort"); })[0];
      if (!sorted) { return; }
      if (sorted.getAttribute("data-sort-method") === "number") { missingLast(table, sorted.cellIndex); }
      status.textContent = "Sorted by " + label(sorted) + ", " + sorted.getAttribute("aria-sort");
    });
    wrapper.classList.add("table-sort-ready");
  }

  function setUpAll() {
    var wrappers = document.querySelectorAll(".table-sortable");
    if (wrappers.length) { withTablesort(function () { wrappers.forEach(setUp); }); }
  }

  if (window.document$) { window.document$.subscribe(setUpAll); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
