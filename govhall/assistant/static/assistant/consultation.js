/* Online consultation: poll for new messages every second and send without reloading.
   Messages are rows in the database, so any app process can answer the poll (no sticky
   sessions, no channel layer). Without JavaScript the forms post and the page reloads. */
(function () {
  "use strict";
  var list = document.getElementById("messages");
  if (!list) { return; }
  var url = list.getAttribute("data-url");
  var token = list.getAttribute("data-token") || "";
  var after = parseInt(list.getAttribute("data-after") || "0", 10);
  var state = list.getAttribute("data-state");
  var stateLabel = document.getElementById("consultation-state");
  var labels = { citizen: "群众", agent: "工作人员", system: "系统" };
  var stateNames = { waiting: "排队中", active: "咨询中", closed: "已结束" };

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function headers(json) {
    var h = { "Accept": "application/json", "X-CSRFToken": csrf() };
    if (token) { h["X-Consultation-Token"] = token; }
    if (json) { h["Content-Type"] = "application/json"; }
    return h;
  }

  function append(message) {
    if (message.id <= after) { return; }
    after = message.id;
    var item = document.createElement("li");
    item.className = "message message-" + message.sender;
    item.setAttribute("data-id", String(message.id));
    var who = document.createElement("span");
    who.className = "message-who";
    who.textContent = labels[message.sender] || "";
    item.appendChild(who);
    item.appendChild(document.createTextNode(" " + message.text));
    list.appendChild(item);
  }

  function poll() {
    fetch(url + "?after=" + after, { headers: headers(false), credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        (data.messages || []).forEach(append);
        if (data.state !== state) {
          state = data.state;
          if (stateLabel) { stateLabel.textContent = stateNames[state] || state; }
          if (state === "closed") { window.location.reload(); }
        }
      })
      .catch(function () { /* the next poll retries */ })
      .then(function () { if (state !== "closed") { window.setTimeout(poll, 1000); } });
  }

  var form = document.getElementById("message-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[name=text]");
      if (!input || !input.value.trim()) { return; }
      event.preventDefault();
      fetch(url, {
        method: "POST",
        headers: headers(true),
        credentials: "same-origin",
        body: JSON.stringify({ text: input.value })
      }).then(function (r) {
        if (r.ok) { input.value = ""; return r.json().then(append); }
        form.submit();
      });
    });
  }
  if (state !== "closed") { window.setTimeout(poll, 1000); }
})();
