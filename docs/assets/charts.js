// Draws every chart container (.vl-chart, its Vega spec, compiled from Vega-Lite at build time,
// in data-vega) with vega-embed.
// Material's instant navigation swaps page content without a reload; its document$ fires on
// the first load and after each swap. Under file:// document$ may never fire, so the page's
// own load event draws too; each container is drawn once, whichever comes first.
(function () {
  "use strict";
  var drawn = new Map(); // container -> vega-embed result (null while drawing)

  function darkScheme() {
    return document.body.getAttribute("data-md-color-scheme") === "slate";
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

  function draw(container) {
    drawn.set(container, null);
    var spec = JSON.parse(container.getAttribute("data-vega"));
    var options = {
      mode: "vega",
      renderer: "svg",
      actions: { export: true, source: false, editor: false },
      hover: false, // the specs have no hover encodings (vega-embed turns hovering on for Vega specs)
      // runtime config, like the theme: the chart sits on the page's background, light or dark
      config: { background: null },
    };
    if (darkScheme()) { options.theme = "dark"; }
    window.vegaEmbed(liveTarget(container), spec, options).then(function (result) {
      drawn.set(container, result);
      labelActions(container);
      container.classList.add("vl-drawn");
    }).catch(function (error) {
      container.setAttribute("data-error", String(error));
      console.error("chart " + container.id + ": " + error);
    });
  }

  // vega-embed's actions menu is a <summary> holding only an icon: give it a name that screen
  // readers announce (axe-core's summary-name rule).
  function labelActions(container) {
    container.querySelectorAll(".vega-embed > details > summary").forEach(function (summary) {
      summary.setAttribute("aria-label", "Chart actions: save as SVG or PNG");
    });
  }

  function forget(container) {
    var result = drawn.get(container);
    if (result) { result.finalize(); }
    drawn.delete(container);
  }

  function drawNew() {
    drawn.forEach(function (_, container) {
      if (!document.contains(container)) { forget(container); }
    });
    document.querySelectorAll(".vl-chart[data-vega]").forEach(function (container) {
      if (!drawn.has(container)) { draw(container); }
    });
  }

  function redrawAll() {
    Array.from(drawn.keys()).forEach(forget);
    drawNew();
  }

  // Redraw when the reader toggles light/dark: Material sets the attribute on <body>.
  new MutationObserver(redrawAll).observe(document.body, {
    attributes: true, attributeFilter: ["data-md-color-scheme"],
  });

  if (window.document$) { window.document$.subscribe(drawNew); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawNew);
  } else {
    drawNew();
  }
})();
