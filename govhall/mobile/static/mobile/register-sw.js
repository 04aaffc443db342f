/* Install the hall's service worker (/sw.js, scope /) and empty its kept personal pages
   when the person signs out. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) { return; }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* not fatal */ });
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.action && form.action.indexOf("/logout/") !== -1) {
      if (navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage("clear-personal");
      }
      if (window.caches) { window.caches.delete("govhall-pages-v1"); }
    }
  }, true);
})();
