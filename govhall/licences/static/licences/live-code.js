/* The live 亮证 code: renew the signed QR every data-refresh seconds from data-live-url.
   When the renewal fails (offline), the last code stays with its expiry time; once it
   has expired it is dimmed and marked expired — never shown as if fresh. */
(function () {
  "use strict";

  function two(n) { return (n < 10 ? "0" : "") + n; }
  function clock(date) { return two(date.getHours()) + ":" + two(date.getMinutes()) + ":" + two(date.getSeconds()); }

  function setup(figure) {
    var url = figure.getAttribute("data-live-url");
    var refresh = parseInt(figure.getAttribute("data-refresh"), 10) || 60;
    var expires = new Date(figure.getAttribute("data-expires"));
    var status = figure.querySelector(".live-status");
    var holder = figure.querySelector(".live-qr");
    // A page the service worker served from its cache (html[data-offline]) or a phone
    // without network shows the kept code as offline from the start.
    var offline = document.documentElement.getAttribute("data-offline") === "1" || navigator.onLine === false;

    function show() {
      var now = new Date();
      var stale = !(expires > now);
      figure.classList.toggle("is-stale", stale);
      figure.setAttribute("data-state", stale ? "expired" : (offline ? "offline" : "live"));
      if (stale) {
        status.textContent = "二维码已过期（" + clock(expires) + "），请联网后刷新再出示。";
      } else if (offline) {
        status.textContent = "离线：这是最后获取的二维码，" + clock(expires) + " 前有效，过期后需联网刷新。";
      } else {
        var left = Math.max(0, Math.round((expires - now) / 1000));
        status.textContent = "动态亮证码，" + clock(expires) + " 前有效（剩余" + left + "秒），每" + refresh + "秒自动刷新。";
      }
    }

    function renew() {
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (code) {
          holder.innerHTML = code.svg; // our own SVG markup (segno), no script
          expires = new Date(code.expires_at);
          figure.setAttribute("data-expires", code.expires_at);
          offline = false;
          show();
        })
        .catch(function () { offline = true; show(); });
    }

    var button = figure.querySelector(".live-refresh");
    if (button) { button.addEventListener("click", renew); }
    window.addEventListener("online", renew);
    window.addEventListener("offline", function () { offline = true; show(); });
    show();
    window.setInterval(renew, refresh * 1000);
    window.setInterval(show, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var figures = document.querySelectorAll(".live-code[data-live-url]");
    for (var i = 0; i < figures.length; i++) { setup(figures[i]); }
  });
})();
