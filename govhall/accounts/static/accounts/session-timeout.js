/* Warns before an idle session expires (SESSION_COOKIE_AGE) and lets the user renew it.
   Without JavaScript the session still expires; the login page then says so. */
(function () {
  "use strict";
  var dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var age = parseInt(dialog.dataset.age, 10) * 1000;
  var warn = parseInt(dialog.dataset.warn, 10) * 1000;
  var countdown = dialog.querySelector("[data-countdown]");
  var form = dialog.querySelector("form");
  var deadline, warnTimer, tickTimer;

  function format(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    return Math.floor(s / 60) + "分" + ("0" + (s % 60)).slice(-2) + "秒";
  }
  function expire() {
    var next = encodeURIComponent(location.pathname + location.search);
    location.href = dialog.dataset.login + "&next=" + next;
  }
  function tick() {
    var left = deadline - Date.now();
    if (left <= 0) { expire(); return; }
    countdown.textContent = format(left);
  }
  function show() {
    tick();
    dialog.showModal();
    dialog.querySelector("[data-continue]").focus();
    tickTimer = setInterval(tick, 1000);
  }
  function schedule() {
    clearTimeout(warnTimer); clearInterval(tickTimer);
    deadline = Date.now() + age;
    warnTimer = setTimeout(show, Math.max(0, age - warn));
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(dialog.dataset.keepalive, {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value}
    }).then(function (response) {
      if (!response.ok) { expire(); return; }
      dialog.close(); schedule();
    }, expire);
  });
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); });
  schedule();
})();
