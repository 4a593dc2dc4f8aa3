// The light/dark toggle (overrides/partials/palette.html). Material's inline script in the
// header has already applied the reader's stored choice to <body> before the page drew; this
// shows the toggle for the palette in use, switches on a click (or Enter) and stores the choice
// as Material does (__md_set("__palette")), so Material's script applies it on the next page.
// Until the reader chooses, the palette follows the system's light or dark preference.
// <body> is changed only when a value differs: each change restyles the whole page.
// The header survives Material's instant navigation, so this runs once a page load.
(function () {
  "use strict";
  var form = document.querySelector("form[data-briefing-palette]");
  if (!form || !window.__md_get || !window.__md_set) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[name=__palette]"));
  var KEYS = ["media", "scheme", "primary", "accent"];

  function colorOf(input) {
    var color = {};
    KEYS.forEach(function (key) { color[key] = input.getAttribute("data-md-color-" + key); });
    return color;
  }

  function chosen() {
    var stored = window.__md_get("__palette");
    return stored && inputs[stored.index] ? stored.index : null;
  }

  function preferred() {
    for (var index = 0; index < inputs.length; index++) {
      var media = inputs[index].getAttribute("data-md-color-media");
      if (media && window.matchMedia(media).matches) { return index; }
    }
    return 0;
  }

  function apply(index, store) {
    var input = inputs[index];
    var color = colorOf(input);
    input.checked = true;
    var switching = KEYS.some(function (key) {
      return document.body.getAttribute("data-md-color-" + key) !== color[key];
    });
    if (switching && store) { document.body.setAttribute("data-md-color-switching", ""); } // no transitions
    KEYS.forEach(function (key) {
      if (document.body.getAttribute("data-md-color-" + key) !== color[key]) {
        document.body.setAttribute("data-md-color-" + key, color[key]);
      }
    });
    // the page's own scrollbars follow the palette (set from a stored choice in overrides/main.html)
    var scrollbars = color.scheme === "slate" ? "dark" : "";
    if (document.documentElement.style.colorScheme !== scrollbars) {
      document.documentElement.style.colorScheme = scrollbars;
    }
    inputs.forEach(function (other, otherIndex) {
      var label = other.nextElementSibling;
      if (label instanceof HTMLElement && label.tagName === "LABEL") { label.hidden = otherIndex !== index; }
    });
    if (store) {
      window.__md_set("__palette", { index: index, color: color });
      if (switching) {
        window.setTimeout(function () { document.body.removeAttribute("data-md-color-switching"); });
      }
    }
  }

  var initial = chosen();
  apply(initial === null ? preferred() : initial, false);
  form.addEventListener("change", function (event) {
    var index = inputs.indexOf(event.target);
    if (index >= 0) { apply(index, true); }
  });
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    var current = inputs.filter(function (input) { return input.checked; })[0];
    var next = inputs[(inputs.indexOf(current) + 1) % inputs.length];
    next.click();
    next.focus();
  });
  inputs.forEach(function (input) {
    var media = input.getAttribute("data-md-color-media");
    if (!media) { return; }
    window.matchMedia(media).addEventListener("change", function () {
      if (chosen() === null) { apply(preferred(), false); }
    });
  });
})();
