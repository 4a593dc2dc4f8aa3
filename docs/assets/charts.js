// Draws every chart container (.vl-chart with its spec in data-vl) with vega-embed.
// Material's instant navigation swaps page content without a reload; document$ fires on the
// first load and after each swap, so charts are drawn on every page a reader reaches.
(function () {
  "use strict";
  var views = [];

  function darkScheme() {
    return document.body.getAttribute("data-md-color-scheme") === "slate" &&
      !window.matchMedia("print").matches;
  }

  function finalizeAll() {
    views.forEach(function (view) { view.finalize(); });
    views = [];
  }

  // The live chart is drawn beside the static SVG fallback, which stays for print and is
  // hidden on screen once the live one is drawn (see briefing.css).
  function liveTarget(container) {
    var target = container.querySelector(".vl-live");
    if (!target) {
      target = document.createElement("div");
      target.className = "vl-live";
      container.appendChild(target);
    }
    return target;
  }

  function drawAll() {
    finalizeAll();
    var dark = darkScheme();
    document.querySelectorAll(".vl-chart[data-vl]").forEach(function (container) {
      var spec = JSON.parse(container.getAttribute("data-vl"));
      var options = {
        renderer: "svg",
        actions: { export: true, source: false, compiled: false, editor: false },
        config: { background: null },
      };
      if (dark) { options.theme = "dark"; }
      window.vegaEmbed(liveTarget(container), spec, options).then(function (result) {
        views.push(result);
        container.classList.add("vl-drawn");
      }).catch(function (error) {
        container.setAttribute("data-error", String(error));
        console.error("chart " + container.id + ": " + error);
      });
    });
  }

  // Redraw when the reader toggles light/dark: Material sets the attribute on <body>.
  new MutationObserver(drawAll).observe(document.body, {
    attributes: true, attributeFilter: ["data-md-color-scheme"],
  });

  if (window.document$) {
    window.document$.subscribe(drawAll);
  } else {
    document.addEventListener("DOMContentLoaded", drawAll);
  }
})();
