/* The application form (/applications/<id>/edit/): autosave, uploads without a reload,
 * a warning before leaving with unsaved edits. The page works without this file: every
 * button (save, upload, delete, submit) belongs to the one form, and the server saves what
 * was typed before it uploads, deletes or submits.
 *
 * - Autosave: ~1.5 s after the last keystroke (sooner after a choice) the form's fields go to
 *   data-autosave-url (POST, CSRF header); the time shown is the server's, in Beijing time.
 * - Upload / delete buttons: sent with fetch (Accept: application/json) to their own URL;
 *   then the documents card, the checklist and the headline are re-read from the page.
 * - Submit: a normal form post (fields saved, then submitted); pending autosave cancelled.
 * - beforeunload asks only while there are edits the server has not saved.
 */
(function () {
  "use strict";
  var form = document.getElementById("application-form");
  if (!form || !window.fetch || !window.FormData || !window.DOMParser) { return; }

  var autosaveUrl = form.getAttribute("data-autosave-url");
  var editUrl = form.getAttribute("data-edit-url");
  var status = document.getElementById("autosave-status");
  var TEXT_DELAY = 1500;
  var CHOICE_DELAY = 400;
  var RETRY_DELAY = 10000;
  var changes = 0;        // edits made so far
  var savedChanges = 0;   // edits the server has confirmed
  var timer = null;
  var inflight = false;
  var locked = false;
  var leaving = false;    // a normal submission of the form is under way

  function msg(key, fallback) {
    return (status && status.getAttribute("data-msg-" + key)) || fallback;
  }

  function setStatus(state, text) {
    if (!status) { return; }
    status.setAttribute("data-state", state);
    status.textContent = text;
  }

  function dirty() { return changes !== savedChanges; }

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // The form's text fields only: files go with their own button, "action" is a button's.
  function fieldsData() {
    var all = new FormData(form);
    var out = new FormData();
    all.forEach(function (value, key) {
      if (typeof value === "string" && key !== "action") { out.append(key, value); }
    });
    return out;
  }

  function isField(el) {
    return el && el.name && el.form === form && el.type !== "file" && el.type !== "submit" &&
      el.type !== "button" && el.name !== "csrfmiddlewaretoken";
  }

  // -- field errors from the autosave -------------------------------------------------------
  function clearErrors() {
    form.querySelectorAll("[data-autosave-error]").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[data-autosave-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("data-autosave-invalid");
    });
  }

  function showErrors(errors) {
    clearErrors();
    var first = "";
    Object.keys(errors || {}).forEach(function (name) {
      var text = (errors[name] || []).join(" ");
      if (!first) { first = text; }
      var input = form.elements.namedItem(name);
      if (input && input.length && !input.tagName) { input = input[0]; }
      if (!input || !input.closest) { return; }
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("data-autosave-invalid", "");
      var field = input.closest(".field");
      if (field) {
        var ul = document.createElement("ul");
        ul.className = "field__errors";
        ul.setAttribute("data-autosave-error", "");
        var li = document.createElement("li");
        li.textContent = text;
        ul.appendChild(li);
        field.insertBefore(ul, field.querySelector("input, select, textarea, .checkbox, fieldset > div"));
      }
    });
    return first;
  }

  // -- autosave ---------------------------------------------------------------------------------
  function schedule(delay) {
    if (locked || leaving) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function save(keepalive) {
    timer = null;
    if (locked || leaving || !dirty()) { return; }
    if (inflight) { schedule(300); return; }
    var version = changes;
    inflight = true;
    setStatus("saving", msg("saving", "正在保存…"));
    fetch(autosaveUrl, {
      method: "POST", credentials: "same-origin", keepalive: !!keepalive, body: fieldsData(),
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    }).then(function (res) {
      inflight = false;
      if (res.ok && res.data.saved) {
        savedChanges = Math.max(savedChanges, version);
        clearErrors();
        setStatus(dirty() ? "pending" : "saved",
          dirty() ? msg("pending", "有未保存的修改…")
                  : msg("saved", "已自动保存") + " " + res.data.saved_at_display + msg("zone", "（北京时间）"));
        if (dirty()) { schedule(CHOICE_DELAY); }
        return;
      }
      if (res.status === 400) {
        var first = showErrors(res.data.errors);
        setStatus("error", msg("refused", "未能自动保存：") + (first || res.data.detail || ""));
        return;
      }
      if (res.status === 409 || res.status === 403 || res.status === 404) {
        locked = true;
        setStatus("error", (res.data && res.data.detail) || msg("locked", "申报已不能修改，请刷新页面。"));
        return;
      }
      setStatus("error", msg("offline", "自动保存失败，请检查网络；稍后自动重试。"));
      schedule(RETRY_DELAY);
    }).catch(function () {
      inflight = false;
      setStatus("error", msg("offline", "自动保存失败，请检查网络；稍后自动重试。"));
      schedule(RETRY_DELAY);
    });
  }

  function changed(delay) {
    changes += 1;
    setStatus("pending", msg("pending", "有未保存的修改…"));
    schedule(delay);
  }

  form.addEventListener("input", function (event) {
    var el = event.target;
    if (!isField(el) || el.type === "checkbox" || el.type === "radio") { return; }
    changed(TEXT_DELAY);
  });
  form.addEventListener("change", function (event) {
    var el = event.target;
    if (!isField(el)) { return; }
    if (el.type === "checkbox" || el.type === "radio" || el.tagName === "SELECT") { changed(CHOICE_DELAY); }
  });

  // -- uploads and deletes without a reload ----------------------------------------------------
  function refreshSections(focusSelector) {
    return fetch(editUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        ["documents", "submit-panel", "edit-headline"].forEach(function (id) {
          var fresh = doc.getElementById(id);
          var current = document.getElementById(id);
          if (fresh && current) { current.replaceWith(document.importNode(fresh, true)); }
        });
        if (focusSelector) {
          var target = document.querySelector(focusSelector);
          if (target) { target.setAttribute("tabindex", "-1"); target.focus({ preventScroll: false }); }
        }
      });
  }

  function rowStatus(kind, state, text) {
    var row = document.querySelector('[data-upload-row="' + kind + '"]');
    var el = row && row.querySelector("[data-upload-status]");
    if (!el) { return; }
    el.setAttribute("data-state", state);
    el.textContent = text;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function upload(button) {
    var kind = button.getAttribute("data-kind");
    var input = document.getElementById("file-" + kind);
    if (!input || !input.files || !input.files.length) {
      rowStatus(kind, "error", msg("choose", "请选择要上传的文件。"));
      if (input) { input.focus(); }
      return;
    }
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    body.append("kind", kind);
    body.append("file", input.files[0]);
    var idle = button.textContent;
    button.disabled = true;
    button.classList.add("is-busy");
    button.textContent = button.getAttribute("data-busy-label") || idle;
    rowStatus(kind, "busy", "");
    post(button.getAttribute("data-upload-url"), body).then(function (res) {
      if (res.ok) {
        return refreshSections("#doc-" + kind).then(function () {
          rowStatus(kind, "ok", res.data.message || "");
        });
      }
      button.disabled = false;
      button.classList.remove("is-busy");
      button.textContent = idle;
      rowStatus(kind, "error", res.data.detail || (res.data.errors || []).join(" ") || String(res.status));
    }).catch(function () {
      button.disabled = false;
      button.classList.remove("is-busy");
      button.textContent = idle;
      rowStatus(kind, "error", msg("offline-upload", "上传失败，请检查网络后重试。"));
    });
  }

  function remove(button) {
    var question = button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { return; }
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    button.disabled = true;
    post(button.getAttribute("data-delete-url"), body).then(function (res) {
      if (res.ok) { return refreshSections("#documents"); }
      button.disabled = false;
      setStatus("error", res.data.detail || String(res.status));
    }).catch(function () {
      button.disabled = false;
      setStatus("error", msg("offline", "自动保存失败，请检查网络；稍后自动重试。"));
    });
  }

  // Runs before app.js (the form is below the document in the bubbling order).
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button) { return; }
    if (button.hasAttribute("data-upload-url")) {
      event.preventDefault();
      upload(button);
    } else if (button.hasAttribute("data-delete-url")) {
      event.preventDefault();
      remove(button);
    }
  });
  // Runs after app.js's confirmation: a real submission saves everything on the server.
  window.addEventListener("submit", function (event) {
    if (event.target !== form || event.defaultPrevented) { return; }
    window.clearTimeout(timer);
    leaving = true;
  });
  window.addEventListener("pageshow", function () { leaving = false; });

  // -- leaving the page ----------------------------------------------------------------------------
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && dirty() && !inflight && !leaving) { save(true); }
  });
  window.addEventListener("beforeunload", function (event) {
    if (leaving || locked || !dirty()) { return; }
    event.preventDefault();
    event.returnValue = form.getAttribute("data-leave-warning") || "";
    return event.returnValue;
  });

  if (status && !status.textContent.trim()) { setStatus("idle", msg("on", "填写的内容会自动保存")); }
})();
