// Parses the Vega specs of charts.js away from the page's thread (charts.js says why). It runs
// as a worker started by charts.js; Vega's bundle is the page's own, from the browser's cache.
// A spec it cannot parse gets no runtime: the page then parses it itself and reports the error.
importScripts("vendor/vega-bundle.js");

onmessage = function (event) {
  var request = event.data;
  var runtime = null;
  try {
    runtime = vega.parse(request.spec, request.config);
  } catch (error) {
    // no runtime: the page parses the spec itself and shows the error there
  }
  postMessage({ id: request.id, runtime: runtime });
};
