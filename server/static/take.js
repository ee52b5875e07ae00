// Candidate, rater and expert pages: save each answer the moment it is given, and show
// the server's clock.
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

  // Statuses worth trying again: the server or a proxy is busy or briefly away.
  var RETRY = { 429: true, 502: true, 503: true, 504: true };
  var MAX_DELAY = 30000;

  function retryDelay(attempt, response) {
    var after = response ? parseInt(response.headers.get("Retry-After"), 10) : NaN;
    var base = Math.min(MAX_DELAY, 500 * Math.pow(2, attempt));
    if (!isNaN(after) && after >= 0) { base = Math.max(base, after * 1000); }
    return Math.min(MAX_DELAY, base) * (0.75 + Math.random() * 0.5);  // jitter
  }

  // One save in flight at a time per item; the latest answer wins; an answer is never
  // dropped: a busy server (503/502/504/429) or a lost connection is retried with backoff
  // until the save is acknowledged, and a newer answer given meanwhile replaces the one
  // waiting (the server keeps only the latest answer per item anyway).
  // ``report(state, detail)`` hears of every change: saving, saved (detail: the server's
  // reply), retrying, refused (detail: the server's message or null).
  function saver(url, report) {
    var retryTimer = null;
    var latest = null;     // the newest answer not yet acknowledged
    var inFlight = false;
    var attempt = 0;

    function later(response) {
      report("retrying", null);
      clearTimeout(retryTimer);
      retryTimer = setTimeout(pump, retryDelay(attempt, response));
      attempt += 1;
    }

    function pump() {
      retryTimer = null;
      if (inFlight || latest === null) { return; }
      var body = latest;
      inFlight = true;
      report("saving", null);
      fetch(url, {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
        keepalive: true  // a save started as the page closes still reaches the server
      }).then(function (r) {
        inFlight = false;
        if (r.ok) {
          attempt = 0;
          return r.json().then(function (j) { return j; }, function () { return null; }).then(function (j) {
            if (latest === body) { latest = null; report("saved", j); }
            else { pump(); }  // a newer answer came while this one was on its way
          });
        }
        if (r.status === 409) { latest = null; window.location.reload(); return; }
        if (RETRY[r.status]) { later(r); return; }
        // refused (422 ...): this answer cannot be stored; a newer one still goes out
        if (latest === body) { latest = null; }
        return r.json().then(function (j) {
          report("refused", (j.extra && j.extra[0] && j.extra[0].message) || null);
        }, function () { report("refused", null); }).then(function () {
          if (latest !== null) { pump(); }
        });
      }, function () {
        inFlight = false;
        later(null);  // network error: the server may have stored it; sending again is safe
      });
    }

    return function save(body) {
      latest = body;
      if (retryTimer === null) { pump(); }
    };
  }

  function statusOf(form) {
    var status = form.querySelector(".save-status");
    var messages = {
      saving: status.getAttribute("data-saving") || "…",
      saved: status.getAttribute("data-saved") || "✓",
      failed: status.getAttribute("data-failed") || "!",
      same: status.getAttribute("data-same") || "!"
    };
    form.setAttribute("data-save-state", "idle");
    return {
      messages: messages,
      show: function (state, text) {
        status.textContent = text;
        form.setAttribute("data-save-state", state);
      }
    };
  }

  // The server's count of answered items after a save, wherever the page shows it.
  function showAnswered(reply) {
    if (!reply || typeof reply.answered !== "number") { return; }
    document.querySelectorAll("[data-answered]").forEach(function (el) {
      // the page's own words for each count (plural forms), else the bare number
      var labels = null;
      try { labels = JSON.parse(el.getAttribute("data-labels") || "null"); } catch (e) { labels = null; }
      el.textContent = labels && labels[reply.answered] ? labels[reply.answered] : String(reply.answered);
    });
    document.querySelectorAll("progress[data-progress]").forEach(function (el) {
      el.value = reply.answered;
    });
  }

  // The candidate's item page: one answer per form.
  function autosave(form) {
    var status = statusOf(form);
    var debounce = null;
    var save = saver(form.getAttribute("data-autosave"), function (state, detail) {
      var text = state === "refused" ? (detail || status.messages.failed)
        : state === "retrying" ? status.messages.failed : status.messages[state];
      status.show(state, text);
      if (state === "saved") { showAnswered(detail); }
    });
    form.addEventListener("change", function () {
      var body = payload(form);
      if (!body) { return; }
      clearTimeout(debounce);
      if (body.most && body.most === body.least) {
        status.show("refused", status.messages.same);  // said at once, nothing is sent
        return;
      }
      debounce = setTimeout(function () { save(body); }, 150);
    });
  }

  // A 360 rater's form (and a job-analysis expert's rating form, one save per competency):
  // every statement and comment saved on its own as it is given. The
  // status line speaks for the whole form: a refused answer first, then one waiting to be
  // sent again, then one on its way; "saved" once every item is.
  function rateAutosave(form) {
    var base = form.getAttribute("data-rate-autosave");
    var status = statusOf(form);
    var savers = {}, timers = {}, bodies = {}, states = {}, refusals = {};

    function summary() {
      var items = Object.keys(states);
      var has = function (state) { return items.some(function (i) { return states[i] === state; }); };
      if (has("refused")) {
        var item = items.filter(function (i) { return states[i] === "refused"; })[0];
        status.show("refused", refusals[item] || status.messages.failed);
      } else if (has("retrying")) {
        status.show("retrying", status.messages.failed);
      } else if (has("saving")) {
        status.show("saving", status.messages.saving);
      } else {
        status.show("saved", status.messages.saved);
      }
    }

    function send(item, body, delay) {
      if (!savers[item]) {
        savers[item] = saver(base + "/" + item, function (state, detail) {
          states[item] = state;
          if (state === "refused") { refusals[item] = detail; }
          if (state === "saved") { showAnswered(detail); }
          summary();
        });
      }
      // pending from the moment it is given: "saved" is never shown while an answer waits
      states[item] = "saving";
      bodies[item] = body;
      summary();
      clearTimeout(timers[item]);
      timers[item] = setTimeout(function () { flush(item); }, delay);
    }

    function flush(item) {
      clearTimeout(timers[item]);
      delete timers[item];
      if (bodies[item] !== undefined) { savers[item](bodies[item]); delete bodies[item]; }
    }

    // posting the form carries every answer: what waits is not sent again after it (the
    // form may be submitted by then); leaving the page otherwise (closing the tab,
    // following a link) sends what still waits
    var posting = false;
    form.addEventListener("submit", function () {
      posting = true;
      Object.keys(timers).forEach(function (item) {
        clearTimeout(timers[item]);
        delete timers[item];
        delete bodies[item];
      });
    });
    window.addEventListener("pagehide", function () {
      if (!posting) { Object.keys(timers).forEach(flush); }
    });

    // An expert's rating page: the questions of one competency (``data-group``) go
    // together, each radio carrying its field and JSON value; an open question is null.
    function groupAnswers(group) {
      var body = {};
      form.querySelectorAll("input[data-group='" + group + "']").forEach(function (input) {
        var name = input.getAttribute("data-field");
        if (!(name in body)) { body[name] = null; }
        if (input.checked) { body[name] = JSON.parse(input.getAttribute("data-json")); }
      });
      return body;
    }

    form.addEventListener("change", function (event) {
      var el = event.target;
      if (el.type === "radio" && el.getAttribute("data-item")) {
        send(el.getAttribute("data-item"),
          { rating: el.value === "cannot" ? null : parseInt(el.value, 10) }, 100);
      } else if (el.type === "radio" && el.getAttribute("data-group")) {
        send(el.getAttribute("data-group"), groupAnswers(el.getAttribute("data-group")), 100);
      }
    });
    form.addEventListener("input", function (event) {
      var el = event.target;
      if (el.tagName === "TEXTAREA" && el.getAttribute("data-item")) {
        send(el.getAttribute("data-item"), { comment: el.value }, 800);
      }
    });
  }

  // At 0 the page says that time is up, takes no more answers and reloads once the server's
  // deadline has surely passed: the server then submits what was saved and shows the
  // thank-you page that says so (the server's seconds are whole, so it waits a little more).
  var GRACE = 1500;

  function timeUp(el) {
    var message = document.querySelector("[data-time-up-message]");
    if (message) { message.textContent = el.getAttribute("data-time-up") || ""; }
    document.querySelectorAll("form.sjt input, form.sjt select, form.sjt button").forEach(function (c) {
      c.disabled = true;
    });
    setTimeout(function () { window.location.reload(); }, GRACE);
  }

  function clock(el) {
    var left = parseInt(el.getAttribute("data-seconds-left"), 10);
    var shown = el.querySelector(".clock-value");
    var end = Date.now() + left * 1000;
    function tick() {
      var s = Math.max(0, Math.round((end - Date.now()) / 1000));
      shown.textContent = Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
      if (s <= 60) { el.classList.add("low"); }
      if (s === 0) { timeUp(el); return; }
      setTimeout(tick, 1000);
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-autosave]").forEach(autosave);
    document.querySelectorAll("form[data-rate-autosave]").forEach(rateAutosave);
    document.querySelectorAll("[data-seconds-left]").forEach(clock);
  });
})();
