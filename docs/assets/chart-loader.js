// Loads the chart scripts (Vega and vega-embed, then charts.js) on pages that have a chart, and
// only there: the build puts this script into the content of those pages (briefing/hooks.py).
// Material's instant navigation replaces the content without reloading the page and re-creates
// the scripts inside it, so this runs again on every chart page a reader moves to; the chart
// scripts are added once, and charts.js then draws each new page's charts itself (it listens to
// Material's document$). Paths are relative to this script, so the same file works under any
// sub-path and from file:// (the offline copy).
(function () {
  "use strict";
  if (window.briefingChartScripts) { return; }
  // A lazy static chart hidden behind its live chart has never loaded: load every one before
  // the page is printed, where the static charts show instead.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("img.chart-static[loading=lazy]").forEach(function (image) {
      image.loading = "eager";
    });
  });
  var here = document.currentScript.src;
  window.briefingChartScripts = ["vendor/vega-bundle.js", "charts.js"].map(function (path) {
    var script = document.createElement("script");
    script.src = new URL(path, here).href;
    script.async = false; // run in this order: charts.js needs vegaEmbed
    document.body.appendChild(script); // not <head>: instant navigation drops what a new page lacks there
    return script.src;
  });
})();
