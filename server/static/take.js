// Candidate pages: save each answer the moment it is given, and show the server's clock.
// The pages work without this script; the server stays the authority on time and answers.
(function () {
  "use strict";

  function payload(form) {
    var fmt = form.getAttribute("data-format");
    var data = new FormData(form);
    if (fmt === "rate") {
      var ratings = {};
      data.forEach(function (value, name) {
        if (name.indexOf("rating-") === 0) { ratings[name.slice(7)] = parseInt(value, 10); }
      });
      return Object.keys(ratings).length ? { ratings: ratings } : null;
    }
    if (fmt === "most_least") {
      var most = data.get("most"), least = data.get("least");
      if (!most && !least) { return null; }
      return { most: most || null, least: least || null };
    }
    var ranks = [];
    data.forEach(function (value, name) {
      if (name.indexOf("rank-") === 0 && value) { ranks.push([parseInt(value, 10), name.slice(5)]); }
    });
    var selects = form.querySelectorAll("select[name^='rank-']").length;
    var positions = ranks.map(function (r) { return r[0]; });
    var distinct = positions.filter(function (p, i) { return positions.indexOf(p) === i; });
    if (ranks.length !== selects || distinct.length !== selects) { return null; }
    ranks.sort(function (a, b) { return a[0] - b[0]; });
    return { ranking: ranks.map(function (r) { return r[1]; }) };
  }

  function autosave(form) {
    var url = form.getAttribute("data-autosave");
    var status = form.querySelector(".save-status");
    var pending = null;
    var messages = {
      saving: status.getAttribute("data-saving") || "…",
      saved: status.getAttribute("data-saved") || "✓",
      failed: status.getAttribute("data-failed") || "!"
    };
    function send(body, attempt) {
      status.textContent = messages.saving;
      fetch(url, {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin"
      }).then(function (r) {
        if (r.ok) { status.textContent = messages.saved; return; }
        if (r.status === 409) { window.location.reload(); return; }
        return r.json().then(function (j) {
          status.textContent = (j.extra && j.extra[0] && j.extra[0].message) || messages.failed;
        });
      }).catch(function () {
        status.textContent = messages.failed;
        if (attempt < 5) { setTimeout(function () { send(body, attempt + 1); }, 1000 * (attempt + 1)); }
      });
    }
    form.addEventListener("change", function () {
      var body = payload(form);
      if (!body) { return; }
      if (body.most && body.most === body.least) { return; }
      clearTimeout(pending);
      pending = setTimeout(function () { send(body, 0); }, 150);
    });
  }

  function clock(el) {
    var left = parseInt(el.getAttribute("data-seconds-left"), 10);
    var shown = el.querySelector(".clock-value");
    var end = Date.now() + left * 1000;
    function tick() {
      var s = Math.max(0, Math.round((end - Date.now()) / 1000));
      shown.textContent = Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
      if (s <= 60) { el.classList.add("low"); }
      if (s === 0) { window.location.reload(); return; }
      setTimeout(tick, 1000);
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-autosave]").forEach(autosave);
    document.querySelectorAll("[data-seconds-left]").forEach(clock);
  });
})();
