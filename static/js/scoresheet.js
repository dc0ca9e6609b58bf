/* Scoresheet autosave. The page works without this file (the "保存" button posts the form).
 *
 * Changed items are sent to the scoresheet API (PUT /api/v1/assignments/<id>/scoresheet/,
 * session auth + CSRF token) ~1.5 s after the last keystroke, sooner after a click on a
 * percent. Points and the total shown are the server's answer, never computed here. When
 * the tab is hidden or closed, unsaved items leave with fetch(..., {keepalive: true}).
 */
(function () {
  "use strict";
  var form = document.getElementById("scoresheet");
  if (!form || !window.fetch || !window.JSON) { return; }

  var url = form.getAttribute("data-autosave-url");
  var T = {};  // the page's translated messages (json_script), with fallbacks
  try { T = JSON.parse(document.getElementById("scoresheet-messages").textContent); } catch (e) { T = {}; }
  function t(key, fallback) { return T[key] || fallback; }
  var TEXT_DELAY = 1500;
  var CHOICE_DELAY = 400;
  var RETRY_DELAY = 10000;
  var dirty = {};        // criterion code -> true: changed since the last successful save
  var sending = {};      // codes in the request under way
  var timer = null;
  var inflight = false;
  var locked = false;
  var failed = false;

  function statusEls() { return document.querySelectorAll("[data-save-status]"); }

  function setStatus(state, text) {
    statusEls().forEach(function (el) { el.textContent = text; el.setAttribute("data-state", state); });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // Beijing time (Asia/Shanghai, UTC+8 all year, no daylight saving) like every time on the
  // site, whatever zone the browser is in.
  function clock() {
    var d = new Date(Date.now() + 8 * 3600 * 1000);
    return pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function itemOf(el) { return el && el.closest ? el.closest("[data-criterion]") : null; }

  function byCode(selector, code) {
    var found = null;
    document.querySelectorAll(selector).forEach(function (el) {
      var attr = selector.replace(/^\[|\]$/g, "");
      if (el.getAttribute(attr) === code) { found = el; }
    });
    return found;
  }

  function field(item, prefix) {
    var code = item.getAttribute("data-criterion");
    var found = null;
    item.querySelectorAll("[name]").forEach(function (el) {
      if (el.name === prefix + code && (el.type !== "radio" || el.checked)) { found = el; }
    });
    return found;
  }

  function payload(code) {
    var item = byCode("[data-criterion]", code);
    var radio = field(item, "p-");
    var strengths = field(item, "s-");
    var opportunities = field(item, "o-");
    return {
      criterion: code,
      percent: radio && radio.value !== "" ? parseInt(radio.value, 10) : null,
      strengths: strengths ? strengths.value : "",
      opportunities: opportunities ? opportunities.value : ""
    };
  }

  function pendingCodes(includeSending) {
    var codes = Object.keys(dirty);
    if (includeSending) {
      Object.keys(sending).forEach(function (c) { if (codes.indexOf(c) < 0) { codes.push(c); } });
    }
    return codes;
  }

  function schedule(delay) {
    if (locked) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function markDirty(code, delay) {
    dirty[code] = true;
    var points = byCode("[data-points-for]", code);
    if (points) { points.classList.add("is-stale"); }
    setStatus("pending", t("pending", "有未保存的修改…"));
    schedule(delay);
  }

  // -- showing the server's answer ---------------------------------------------------
  function cents(text) {
    if (text === null || text === undefined || text === "") { return null; }
    var parts = String(text).split(".");
    var whole = parseInt(parts[0], 10) || 0;
    var frac = parseInt(((parts[1] || "") + "00").slice(0, 2), 10) || 0;
    return whole * 100 + (whole < 0 ? -frac : frac);
  }

  function fromCents(n) { return Math.floor(n / 100) + "." + pad(n % 100); }

  function apply(data) {
    var groups = {};
    (data.items || []).forEach(function (it) {
      var code = it.criterion;
      var points = byCode("[data-points-for]", code);
      if (points && !dirty[code]) {
        points.textContent = it.points === null ? "—" : it.points;
        points.classList.remove("is-stale");
      }
      var article = byCode("[data-criterion]", code);
      if (article) { article.classList.toggle("is-scored", it.percent !== null); article.classList.remove("has-error"); }
      var nav = byCode("[data-nav-for]", code);
      if (nav) { nav.classList.toggle("is-scored", it.percent !== null); }
      var c = cents(it.points);
      if (!(it.parent in groups)) { groups[it.parent] = null; }
      if (c !== null) { groups[it.parent] = (groups[it.parent] || 0) + c; }
    });
    Object.keys(groups).forEach(function (parent) {
      var el = byCode("[data-group-points]", parent);
      if (el) { el.textContent = groups[parent] === null ? "—" : fromCents(groups[parent]); }
    });
    var scored = (data.items || []).filter(function (it) { return it.percent !== null; }).length;
    document.querySelectorAll("[data-total]").forEach(function (el) { el.textContent = data.total; });
    document.querySelectorAll("[data-scored]").forEach(function (el) { el.textContent = scored; });
    document.querySelectorAll("[data-progress]").forEach(function (el) { el.value = scored; });
  }

  function detail(data) {
    if (!data) { return ""; }
    var rows = data.items;
    if (rows && rows.length && typeof rows[0] === "string") { return rows.join("；"); }
    return data.detail || "";
  }

  function lock(message) {
    locked = true;
    window.clearTimeout(timer);
    form.querySelectorAll("input, textarea, button").forEach(function (el) { el.disabled = true; });
    document.querySelectorAll("button[form=scoresheet]").forEach(function (el) { el.disabled = true; });
    setStatus("error", message);
  }

  // -- saving -----------------------------------------------------------------------------
  function send(codes, keepalive) {
    var body = JSON.stringify({ items: codes.map(payload) });
    return fetch(url, {
      method: "PUT",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: body
    });
  }

  function save(keepalive) {
    timer = null;
    if (locked) { return; }
    if (inflight && !keepalive) { schedule(300); return; }
    var codes = pendingCodes(!!keepalive);
    if (!codes.length) { return; }
    codes.forEach(function (c) { sending[c] = true; delete dirty[c]; });
    inflight = true;
    setStatus("saving", t("saving", "正在保存…"));
    send(codes, keepalive).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    }).then(function (res) {
      inflight = false;
      sending = {};
      if (res.ok) {
        failed = false;
        apply(res.data);
        if (pendingCodes(false).length) { schedule(CHOICE_DELAY); return; }
        setStatus("saved", t("saved", "已自动保存") + " " + clock() + t("zone", "（北京时间）"));
        return;
      }
      if (res.status === 409 || res.status === 404 || res.status === 403) {
        lock((res.data && res.data.detail) || t("locked", "评分表已不能修改，请刷新页面。"));
        return;
      }
      // 400: the values were refused, nothing saved; they stay marked until changed again.
      codes.forEach(function (c) {
        dirty[c] = true;
        var article = byCode("[data-criterion]", c);
        if (article) { article.classList.add("has-error"); }
      });
      failed = true;
      setStatus("error", t("refused", "保存失败：") + (detail(res.data) || String(res.status)));
    }).catch(function () {
      inflight = false;
      codes.forEach(function (c) { dirty[c] = true; });
      sending = {};
      failed = true;
      setStatus("error", t("offline", "保存失败，请检查网络"));
      schedule(RETRY_DELAY);
    });
  }

  // -- the band shown for the chosen percent ------------------------------------------------
  function showBand(radio) {
    var item = itemOf(radio);
    if (!item) { return; }
    var note = item.querySelector("[data-band-note]");
    var current = null;
    item.querySelectorAll(".scale__band").forEach(function (band) {
      var inside = band.contains(radio) && radio.value !== "";
      band.classList.toggle("is-current", inside);
      if (inside) { current = band; }
    });
    item.querySelectorAll(".band-table tr").forEach(function (tr, i) {
      var bands = item.querySelectorAll(".scale__band[data-band-label]");
      tr.classList.toggle("is-current", !!current && bands[i] === current);
    });
    if (!note) { return; }
    note.textContent = "";
    if (current) {
      var label = document.createElement("strong");
      label.textContent = current.getAttribute("data-band-label");
      note.appendChild(label);
      note.appendChild(document.createTextNode("：" + current.getAttribute("data-band-text")));
    } else {
      var span = document.createElement("span");
      span.className = "muted";
      span.textContent = t("unscored", "尚未评分：选择整体最符合的档位，再在档内确定得分率。");
      note.appendChild(span);
    }
  }

  // -- events ---------------------------------------------------------------------------------
  form.addEventListener("change", function (event) {
    var el = event.target;
    var item = itemOf(el);
    if (!item) { return; }
    if (el.type === "radio") {
      showBand(el);
      markDirty(item.getAttribute("data-criterion"), CHOICE_DELAY);
    }
  });

  form.addEventListener("input", function (event) {
    var el = event.target;
    var item = itemOf(el);
    if (item && el.tagName === "TEXTAREA") { markDirty(item.getAttribute("data-criterion"), TEXT_DELAY); }
  });

  // Submitting locks the sheet: ask first (on the click, so a "no" cancels cleanly).
  document.querySelectorAll("[data-submit-sheet]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(form.getAttribute("data-submit-confirm"))) { event.preventDefault(); }
    });
  });
  // The form posts every item itself: no autosave races it.
  form.addEventListener("submit", function () {
    window.clearTimeout(timer);
    dirty = {};
    locked = true;
  });

  function flush() {
    if (locked) { return; }
    window.clearTimeout(timer);
    if (pendingCodes(true).length) { save(true); }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { flush(); }
  });
  window.addEventListener("pagehide", flush);
  window.addEventListener("beforeunload", function (event) {
    if (failed && pendingCodes(true).length && !locked) {
      flush();
      event.preventDefault();
      event.returnValue = "";
    }
  });

  setStatus("idle", t("on", "自动保存已开启"));
})();
