// Runs the real server/static/take.js in Node with a minimal DOM and a scripted fetch, and
// prints what the page sent (tests/proof/test_autosave_retry.py reads it).
// Usage: node autosave_harness.js <take.js> <scenario>
"use strict";
const fs = require("fs");
const vm = require("vm");

const [source, scenario] = [process.argv[2], process.argv[3]];
const log = { fetches: [], maxInFlight: 0, reloads: 0, states: [] };
let inFlight = 0;
const pending = [];  // scripted responses waiting for their turn

function response(status, headers) {
  return {
    ok: status >= 200 && status < 300,
    status: status,
    headers: { get: (n) => (headers || {})[n.toLowerCase()] ?? null },
    json: () => Promise.resolve({ extra: [{ message: "refused " + status }] }),
  };
}

// each fetch takes the next scripted outcome: a status, "network", or "hold" (resolved by
// the scenario later with release())
let script = [];
const held = [];
function fetch(url, opts) {
  inFlight += 1;
  log.maxInFlight = Math.max(log.maxInFlight, inFlight);
  log.fetches.push(JSON.parse(opts.body));
  const next = script.length ? script.shift() : 200;
  return new Promise((resolve, reject) => {
    const finish = (outcome) => {
      inFlight -= 1;
      if (outcome === "network") { reject(new TypeError("Failed to fetch")); return; }
      const [status, headers] = Array.isArray(outcome) ? outcome : [outcome, {}];
      resolve(response(status, headers));
    };
    if (next === "hold") { held.push(finish); } else { setTimeout(() => finish(next), 5); }
  });
}
function release(outcome) { held.shift()(outcome); }

const values = {};
const listeners = {};
const status = { textContent: "", getAttribute: () => null };
const form = {
  attrs: { "data-autosave": "/api/v1/respond/t/answers/1", "data-format": "most_least" },
  getAttribute(n) { return this.attrs[n] ?? null; },
  setAttribute(n, v) { this.attrs[n] = v; if (n === "data-save-state") { log.states.push(v); } },
  querySelector: () => status,
  querySelectorAll: () => [],
  addEventListener: (ev, fn) => { listeners[ev] = fn; },
};
function FormData() {
  return { get: (n) => values[n] ?? null, forEach: (fn) => Object.entries(values).forEach(([k, v]) => fn(v, k)) };
}
let ready = null;
const document = {
  addEventListener: (ev, fn) => { ready = fn; },
  // the candidate's item form only (the rater's form is walked in a real browser:
  // tests/e2e/test_rater.py)
  querySelectorAll: (sel) => (sel === "form[data-autosave]" ? [form] : []),
};
const fast = (fn, ms) => setTimeout(fn, Math.ceil((ms || 0) / 50));  // backoff 50x faster
const context = {
  document, FormData, fetch, console, Math, JSON, Promise, parseInt, isNaN,
  setTimeout: fast, clearTimeout,
  window: { location: { reload: () => { log.reloads += 1; } }, addEventListener: () => {} },
};
vm.runInNewContext(fs.readFileSync(source, "utf8"), context);
ready();

function answer(most, least) { values.most = most; values.least = least; listeners.change(); }
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  if (scenario === "retry") {
    script = ["network", [503, { "retry-after": "1" }], 502, 504, 429, 200];
    answer("a", "b");
  } else if (scenario === "latest") {
    script = ["hold", 200];
    answer("a", "b");
    await wait(20);            // the first save is on its way
    answer("c", "d");
    await wait(20);
    answer("e", "f");          // two newer answers while it is in flight
    await wait(20);
    release(200);
  } else if (scenario === "latest-while-retrying") {
    script = [503, 200];
    answer("a", "b");
    await wait(10);
    answer("c", "d");          // given while the first waits to be sent again
  } else if (scenario === "gone") {
    script = [409];
    answer("a", "b");
  } else if (scenario === "refused") {
    script = [422];
    answer("a", "b");
  }
  await wait(1500);
  log.final = form.attrs["data-save-state"];
  process.stdout.write(JSON.stringify(log));
}
main();
