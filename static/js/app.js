/* Progressive enhancements only: every page works without this file. */
(function () {
  "use strict";
  // Ask before destructive or irreversible form submissions: <form data-confirm="…">, or
  // <button data-confirm="…"> for one button of a form. A page script that took the
  // submission over (preventDefault) is left alone.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute && submitter.getAttribute("data-confirm")) ||
      (form.getAttribute && form.getAttribute("data-confirm"));
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    // Prevent double submission; the server refuses a repeated transition anyway. Buttons
    // outside the form that belong to it (form="…") count too. A button with
    // data-busy-label says what is happening while the server works (e.g. 正在发布…).
    var buttons = Array.prototype.filter.call(form.elements || [], function (el) {
      return el.tagName === "BUTTON" && (el.type === "submit" || !el.getAttribute("type"));
    });
    var busy = submitter && submitter.getAttribute && submitter.getAttribute("data-busy-label");
    window.setTimeout(function () {
      buttons.forEach(function (b) { b.disabled = true; });
      if (busy) {
        submitter.setAttribute("data-idle-label", submitter.textContent);
        submitter.textContent = busy;
        submitter.classList.add("is-busy");
        submitter.setAttribute("aria-busy", "true");
      }
    }, 0);
  });
  // Re-enable buttons when the page is restored from the back/forward cache.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[disabled]").forEach(function (b) {
      if (!b.hasAttribute("data-keep-disabled")) { b.disabled = false; }
    });
    document.querySelectorAll("button.is-busy[data-idle-label]").forEach(function (b) {
      b.textContent = b.getAttribute("data-idle-label");
      b.classList.remove("is-busy");
      b.removeAttribute("aria-busy");
    });
  });
  // The user menu closes on Escape and on a click elsewhere.
  var menus = document.querySelectorAll("details.user-menu");
  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) {
      if (menu.open && !menu.contains(event.target)) { menu.open = false; }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    menus.forEach(function (menu) {
      if (menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
    });
  });
  // The language switch submits on change.
  document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
    var button = select.form.querySelector("button");
    if (button) { button.classList.add("visually-hidden"); }
  });
})();
