// Job page: follows a background job while it is queued or running. It asks the API how far
// the job got (GET /api/v1/jobs/{id}) and moves the progress bar; when the state changes it
// loads this page again in the background and swaps in its status part, so every word
// stays the server's, in the reader's language. Without JavaScript the page shows the state
// when it was loaded and a link to load it again.
(function () {
  "use strict";
  var box = document.getElementById("job-status");
  if (!box || !box.getAttribute("data-poll")) { return; }
  var api = box.getAttribute("data-poll");
  var shown = box.getAttribute("data-state");
  var refresh = document.getElementById("job-refresh");
  var wait = 1000;

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("job-status");
    if (!fresh) { return false; }
    box.innerHTML = fresh.innerHTML;
    shown = fresh.getAttribute("data-state");
    box.setAttribute("data-state", shown);
    if (!fresh.getAttribute("data-poll")) {
      box.removeAttribute("data-poll");
      if (refresh) { refresh.hidden = true; }
    }
    return true;
  }

  function again() {
    wait = Math.min(wait * 1.25, 5000);
    window.setTimeout(poll, wait);
  }

  function poll() {
    fetch(api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (job) {
        var bar = box.querySelector("progress");
        if (bar && job.total > 0) {
          bar.max = job.total;
          bar.value = job.done;
        }
        var state = job.status + ":" + job.done;
        if (state === shown) { again(); return; }
        return fetch(window.location.pathname, { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
          .then(function (html) {
            swap(html);
            if (box.getAttribute("data-poll")) { again(); }
          });
      })
      .catch(function (status) {
        if (status === 404 || status === 401) {  // expired, or signed out: the link stays
          if (refresh) { refresh.hidden = false; }
          return;
        }
        again();
      });
  }

  window.setTimeout(poll, wait);
})();
