/* Move focus to the error summary after a failed submit, so screen readers announce it
   and keyboard users start from the list of mistakes (GOV.UK pattern). */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
