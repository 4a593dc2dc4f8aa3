// Draws every chart container (.vl-chart, its Vega spec, compiled from Vega-Lite at build time,
// in data-vega) with vega-embed, as it nears the screen: a chart never scrolled to costs nothing
// (its static chart shows until then, and in print).
// Material's instant navigation swaps page content without a reload; its document$ fires on
// the first load and after each swap. Under file:// document$ may never fire, so the page's
// own load event draws too; each container is drawn once, whichever comes first.
(function () {
  "use strict";
  // container -> its draw: {result (null while drawing), observer, frame, width}
  var drawn = new Map();
  // Containers waiting to be drawn, one at a time: Vega's first drawing on a phone is a few
  // hundred milliseconds of script, which in one task would hold the page (taps, scrolling).
  var queue = [];
  // half a screen ahead, so that a reader scrolling down finds the chart drawn
  var nearScreen = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting && !drawn.has(entry.target) && queue.indexOf(entry.target) < 0) {
        nearScreen.unobserve(entry.target);
        queue.push(entry.target);
        if (queue.length === 1) { nextTask().then(drawQueued); }
      }
    });
  }, { rootMargin: "50% 0px" });
  var TITLE_SIGNAL = "chart_title";
  var SUBTITLE_SIGNAL = "chart_subtitle";
  var CONTAINER_SIGNAL = "container_width"; // see briefing/charts.py
  // Vega's default title fonts, and its padding (Vega-Lite's default) on each side
  var TITLE_FONT = "bold 13px sans-serif";
  var SUBTITLE_FONT = "12px sans-serif";
  var PADDING = 5;
  var ACTIONS_BUTTON = 34; // the actions button overlays the top right corner: titles stay clear
  var measure = document.createElement("canvas").getContext("2d");
  // Runtime configs: the chart sits on the page's background, light or dark; in dark mode its
  // text and lines take the colours of Material's slate scheme (its text at 90% lightness).
  // Ours rather than vega-embed's dark theme: the parsing worker (below) must parse with the
  // very config vega-embed passes, and vega-embed's themes are not reachable from outside it.
  var LIGHT = { background: null };
  var DARK_TEXT = "hsl(225, 15%, 90%)";
  var DARK_LINE = "hsl(225, 10%, 45%)";
  var DARK = {
    background: null,
    title: { color: DARK_TEXT, subtitleColor: DARK_TEXT },
    style: { "guide-label": { fill: DARK_TEXT }, "guide-title": { fill: DARK_TEXT } },
    axis: { domainColor: DARK_TEXT, tickColor: DARK_TEXT, gridColor: DARK_LINE },
    view: { stroke: DARK_LINE },
  };

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

  // Vega does not wrap text, and in fit mode a title wider than the container is taken out of
  // the plot: break it between words into lines that fit.
  function wrap(text, font, width) {
    measure.font = font;
    var lines = [];
    String(text).split(/\s+/).forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && measure.measureText(lines[last] + " " + word).width <= width) {
        lines[last] += " " + word;
      } else {
        lines.push(word);
      }
    });
    return lines;
  }

  function titleWidth(width) {
    return width - 2 * PADDING - ACTIONS_BUTTON;
  }

  // The spec's title and subtitle become signals, so that a refit can wrap them again.
  function withWrappedTitle(spec, width) {
    var title = spec.title;
    if (!title || typeof title !== "object" || width <= 0) { return null; }
    var texts = { title: title.text, subtitle: title.subtitle };
    spec.signals = (spec.signals || []).concat([
      { name: TITLE_SIGNAL, value: wrap(texts.title, TITLE_FONT, titleWidth(width)) },
      { name: SUBTITLE_SIGNAL, value: texts.subtitle ? wrap(texts.subtitle, SUBTITLE_FONT, titleWidth(width)) : "" },
    ]);
    title.text = { signal: TITLE_SIGNAL };
    if (texts.subtitle) { title.subtitle = { signal: SUBTITLE_SIGNAL }; }
    return texts;
  }

  // What the spec's window:resize handlers do, for every change of the container's width
  // (a sidebar, a scrollbar, a chart drawn while hidden): at most once an animation frame.
  function refit(entry) {
    entry.frame = 0;
    var view = entry.result.view;
    var width = view.container().clientWidth;
    if (width <= 0 || width === entry.width) { return; }
    entry.width = width;
    if (entry.texts) {
      view.signal(TITLE_SIGNAL, wrap(entry.texts.title, TITLE_FONT, titleWidth(width)));
      if (entry.texts.subtitle) {
        view.signal(SUBTITLE_SIGNAL, wrap(entry.texts.subtitle, SUBTITLE_FONT, titleWidth(width)));
      }
    }
    if (entry.containerSignal) { view.signal(CONTAINER_SIGNAL, width); }
    view.width(width);
    view.runAsync();
  }

  // A promise kept in a later task, so that the browser can paint and answer input between.
  function nextTask() {
    return new Promise(function (resolve) { setTimeout(resolve, 0); });
  }

  // The queue's first chart, then (each in tasks of its own) the rest. A chart taken off the
  // page before its turn (instant navigation) is skipped.
  function drawQueued() {
    var container = queue[0];
    var done = document.contains(container) ? draw(container) : Promise.resolve();
    done.then(function () {
      queue.shift();
      if (queue.length) { nextTask().then(drawQueued); }
    });
  }

  // Vega's parse of a spec, the view's construction, its dataflow run: on a phone each is a
  // long task on first use (the code is cold). The parse needs no page, so a worker does it
  // (chart-parser.js) while this thread stays free; vega-embed, which calls vega.parse itself,
  // is handed the runtime made aside through that call. Where no worker starts (a page opened
  // from file://, the offline copy), or it fails, vega-embed parses here, as before.
  var parser = startParser(document.currentScript.src);
  var parseHere = window.vega.parse;
  // {spec, config (as JSON), runtime, used}: for the next vega.parse of that spec
  var parsedAside = null;
  window.vega.parse = function (spec, config, options) {
    var aside = parsedAside;
    parsedAside = null;
    if (aside && aside.spec === spec && aside.config === JSON.stringify(config)) {
      aside.used = true;
      return aside.runtime;
    }
    return parseHere(spec, config, options);
  };

  function startParser(here) {
    var worker;
    try {
      worker = new Worker(new URL("chart-parser.js", here).href);
    } catch (error) {
      return null; // file:// pages may not start workers
    }
    var waiting = new Map(); // request id -> its promise's resolve
    var next = 0;
    function stop() {
      parser = null;
      waiting.forEach(function (resolve) { resolve(null); });
      waiting.clear();
    }
    worker.onmessage = function (event) {
      var resolve = waiting.get(event.data.id);
      waiting.delete(event.data.id);
      if (resolve) { resolve(event.data.runtime); }
    };
    worker.onerror = stop;
    worker.onmessageerror = stop;
    return {
      // a promise of the spec's runtime, or of null (then vega-embed parses it here)
      parse: function (spec, config) {
        var id = next++;
        return new Promise(function (resolve) {
          waiting.set(id, resolve);
          worker.postMessage({ id: id, spec: spec, config: config });
        });
      },
    };
  }

  // a promise of what the worker made for the spec (null without a worker)
  function parseAside(spec, config) {
    var made = parser ? parser.parse(spec, config) : Promise.resolve(null);
    return made.then(function (runtime) {
      parsedAside = runtime ? { spec: spec, config: JSON.stringify(config), runtime: runtime, used: false } : null;
      return parsedAside;
    });
  }

  // The view is built in one task, its dataflow run and rendered in the next.
  class SplitView extends window.vega.View {
    runAsync(encode, prerun, postrun) {
      return nextTask().then(() => super.runAsync(encode, prerun, postrun));
    }
  }

  // Draws a container; the promise is kept (never broken) once it is drawn or has failed.
  function draw(container) {
    var entry = { result: null, observer: null, frame: 0, width: 0 };
    drawn.set(container, entry);
    var target = liveTarget(container);
    var spec = JSON.parse(container.getAttribute("data-vega"));
    // the spec reads the container's width itself, and its title is wrapped to it here: the
    // first refit has nothing to redo unless the width has changed while drawing
    entry.width = target.clientWidth;
    entry.texts = withWrappedTitle(spec, entry.width);
    entry.containerSignal = (spec.signals || []).some(function (s) { return s.name === CONTAINER_SIGNAL; });
    var options = {
      mode: "vega",
      renderer: "svg",
      actions: { export: true, source: false, editor: false },
      hover: false, // the specs have no hover encodings (vega-embed turns hovering on for Vega specs)
      viewClass: SplitView,
      config: darkScheme() ? DARK : LIGHT,
    };
    var aside = null;
    return parseAside(spec, options.config).then(function (made) {
      aside = made;
      return window.vegaEmbed(target, spec, options);
    }).then(function (result) {
      if (drawn.get(container) !== entry) { // forgotten while drawing
        result.finalize();
        return;
      }
      entry.result = result;
      // where its spec was parsed: "aside" (the worker) or "here" (this page's thread)
      container.setAttribute("data-parsed", aside && aside.used ? "aside" : "here");
      labelActions(container);
      container.classList.add("vl-drawn");
      container.classList.remove("vl-stale");
      // its first call, once the drawn chart is laid out, refits if the width changed while
      // drawing (a refit here would force a layout of the whole page first)
      entry.observer = new ResizeObserver(function () {
        if (!entry.frame) {
          entry.frame = requestAnimationFrame(function () { refit(entry); });
        }
      });
      entry.observer.observe(container);
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

  // A forgotten chart keeps its live drawing, marked stale, until it nears the screen again.
  function forget(container) {
    var entry = drawn.get(container);
    drawn.delete(container);
    if (!entry) { return; }
    if (entry.observer) { entry.observer.disconnect(); }
    if (entry.frame) { cancelAnimationFrame(entry.frame); }
    if (entry.result) { entry.result.finalize(); }
    container.classList.add("vl-stale");
  }

  function drawNew() {
    drawn.forEach(function (_, container) {
      if (!document.contains(container)) { forget(container); }
    });
    nearScreen.disconnect(); // containers of a page navigated away from
    document.querySelectorAll(".vl-chart[data-vega]").forEach(function (container) {
      if (!drawn.has(container)) { nearScreen.observe(container); }
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
