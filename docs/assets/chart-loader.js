// Loads the chart scripts (Vega and vega-embed, then charts.js) on pages that have a chart, and
// only there, and only once a chart nears the screen: until then the page carries no chart
// script and its static charts show (Vega's bundle is most of the site's JavaScript, and its
// evaluation and first drawing the most blocking work of a chart page on a phone).
// The build puts this script at the end of the content of chart pages (briefing/hooks.py).
// Material's instant navigation replaces the content without reloading the page and re-creates
// the scripts inside it, so this runs again on every chart page a reader moves to; the chart
// scripts are added once, and charts.js then draws each new page's charts itself (it listens to
// Material's document$). Paths are relative to this script, so the same file works under any
// sub-path and from file:// (the offline copy).
(function () {
  "use strict";
  if (window.briefingChartScripts) { return; }
  var here = document.currentScript.src;
  if (window.briefingChartWait) {
    window.briefingChartWait.disconnect(); // the previous page's charts, which never neared the screen
  } else {
    // A lazy static chart hidden behind its live chart has never loaded: load every one before
    // the page is printed, where the static charts show instead.
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll("img.chart-static[loading=lazy]").forEach(function (image) {
        image.loading = "eager";
      });
    });
  }

  function load() {
    window.briefingChartWait.disconnect();
    window.briefingChartScripts = ["vendor/vega-bundle.js", "charts.js"].map(function (path) {
      var script = document.createElement("script");
      script.src = new URL(path, here).href;
      script.async = false; // run in this order: charts.js needs vegaEmbed
      document.body.appendChild(script); // not <head>: instant navigation drops what a new page lacks there
      return script.src;
    });
  }

  // half a screen ahead, so that a reader scrolling down finds the chart drawn
  window.briefingChartWait = new IntersectionObserver(function (entries) {
    if (entries.some(function (entry) { return entry.isIntersecting; })) { load(); }
  }, { rootMargin: "50% 0px" });
  document.querySelectorAll(".vl-chart[data-vega]").forEach(function (chart) {
    window.briefingChartWait.observe(chart);
  });
})();
