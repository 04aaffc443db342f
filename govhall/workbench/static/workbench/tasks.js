/* The new-task badge of the staff shell (新待办提醒).
 *
 * Polls the badge URL (data-poll on #task-badge) every minute while the page is visible
 * and shows the number of unread new-task messages next to 待办. When the user allowed
 * it ("开启提醒"), a new message also shows as a browser notification; a Web Push
 * subscription can later replace the polling without changing the page.
 */
(function () {
  "use strict";
  var badge = document.getElementById("task-badge");
  if (!badge || !window.fetch) { return; }
  var count = badge.querySelector(".badge-count");
  var status = document.getElementById("task-badge-status");
  var enable = document.getElementById("task-badge-enable");
  var url = badge.getAttribute("data-poll");
  var every = 60000;
  var seen = null;

  function show(data) {
    var unread = data.unread || 0;
    count.textContent = String(unread);
    count.hidden = unread === 0;
    badge.setAttribute("data-unread", String(unread));
    badge.setAttribute("aria-label", badge.getAttribute("data-label") + "：" +
      data.pending + "，" + badge.getAttribute("data-new") + "：" + unread);
    if (seen !== null && unread > seen && status) {
      status.textContent = badge.getAttribute("data-new") + "：" + unread;
      notify(data.latest && data.latest[0]);
    }
    seen = unread;
  }

  function notify(latest) {
    if (!latest || !("Notification" in window) || Notification.permission !== "granted") { return; }
    var note = new Notification(latest.title, { body: latest.body, tag: "task-" + latest.id });
    note.onclick = function () { window.focus(); window.location.href = latest.link; };
  }

  function poll() {
    if (document.hidden) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () { /* offline: try again at the next tick */ });
  }

  if (enable && "Notification" in window && Notification.permission === "default") {
    enable.hidden = false;
    enable.addEventListener("click", function () {
      Notification.requestPermission().then(function () { enable.hidden = true; });
    });
  }
  document.addEventListener("visibilitychange", poll);
  poll();
  window.setInterval(poll, every);
})();
