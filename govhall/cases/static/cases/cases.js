/* Applicant pages: focus the error summary, show conditional questions only when they
   apply (the server checks the same rule, so the page works without this script),
   confirm destructive forms, and keep a submit button from being pressed twice. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  var blocks = Array.prototype.slice.call(document.querySelectorAll("[data-show-if]"));
  function valueOf(name) {
    var inputs = document.getElementsByName(name);
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.disabled) { return ""; }
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) { return input.value; }
      } else {
        return input.value;
      }
    }
    return "";
  }
  function matches(raw, expected) {
    if (typeof expected === "boolean") { return raw === (expected ? "true" : "false"); }
    if (typeof expected === "number") { return raw !== "" && Number(raw) === expected; }
    return raw === String(expected);
  }
  function update() {
    blocks.forEach(function (block) {
      var rule = JSON.parse(block.getAttribute("data-show-if"));
      var show = matches(valueOf(rule.field), rule.equals);
      block.hidden = !show;
      block.querySelectorAll("input, select, textarea").forEach(function (el) {
        el.disabled = !show;
      });
    });
  }
  if (blocks.length) {
    document.addEventListener("change", update);
    document.addEventListener("input", update);
    update();
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
    });
  });
})();
