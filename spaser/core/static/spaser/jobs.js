/* Job page: polls the job's etat.json and updates the progress bar and counts; reloads the page when the
   job is finished so that the server renders its summary or its error. No inline script (CSP); without
   JavaScript the page refreshes itself through a <noscript> meta refresh. */
(function () {
  "use strict";
  var root = document.querySelector("[data-job-state-url]");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-job-state-url");
  var delay = 1500;

  function setField(name, text) {
    var nodes = root.querySelectorAll('[data-job-field="' + name + '"]');
    for (var i = 0; i < nodes.length; i += 1) {
      nodes[i].textContent = text;
    }
  }

  function show(state) {
    var bar = root.querySelector("progress");
    if (bar) {
      if (state.percent === null) {
        bar.removeAttribute("value");
      } else {
        bar.value = state.percent;
      }
    }
    setField("percent", state.percent === null ? "" : state.percent + " %");
    setField("processed", Number(state.processed).toLocaleString("fr-FR"));
    setField("status_label", state.status_label);
    setField("waiting_hint", state.waiting_hint || "");
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        if (state.finished) {
          window.location.reload();
          return;
        }
        delay = 1500;
        show(state);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        // Server busy or briefly unreachable: try again, less and less often.
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
