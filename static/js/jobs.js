/* Background job progress: every [data-job] polls its JSON status URL and updates its bar,
 * message and result link until the job is done or failed. Without this file the page shows
 * the same state server-side and a 刷新进度 link. */
(function () {
  "use strict";
  if (window.__jobProgress || !window.fetch) { return; }
  window.__jobProgress = true;

  function poll(el, delay) {
    var url = el.getAttribute("data-status-url");
    window.setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (job) {
          render(el, job);
          if (job.finished) {
            if (job.status === "done" && el.hasAttribute("data-reload-on-done")) { window.location.reload(); }
            return;
          }
          poll(el, Math.min(5000, delay + 500));
        })
        .catch(function () { poll(el, 10000); });
    }, delay);
  }

  function set(el, selector, fn) {
    var target = el.querySelector(selector);
    if (target) { fn(target); }
  }

  function render(el, job) {
    el.setAttribute("data-state", job.status);
    set(el, "[data-job-progress]", function (p) { p.value = job.percent; p.textContent = job.percent + "%"; });
    set(el, "[data-job-percent]", function (s) { s.textContent = job.percent + "%"; });
    set(el, "[data-job-message]", function (m) { if (m.textContent !== job.message) { m.textContent = job.message; } });
    set(el, "[data-job-status-label]", function (b) { b.textContent = job.status_label; b.className = "badge badge--" + job.status; });
    set(el, "[data-job-help]", function (h) { h.textContent = job.help || ""; h.hidden = !job.help; });
    set(el, "[data-job-result]", function (a) {
      if (job.result_url) { a.href = job.result_url; a.textContent = job.result_label || a.textContent; a.hidden = false; }
    });
    if (job.finished) { set(el, "[data-job-refresh]", function (a) { a.hidden = true; }); }
  }

  document.querySelectorAll("[data-job]").forEach(function (el) {
    var state = el.getAttribute("data-state");
    if (state === "done" || state === "failed") { return; }
    set(el, "[data-job-refresh]", function (a) { a.hidden = true; });  // the script keeps it current
    poll(el, 1000);
  });
})();
