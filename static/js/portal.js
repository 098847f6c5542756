/*
 * Portal Inburgering – progressive enhancement only: every page works without this file.
 * - Moves keyboard focus to the error summary of a form that came back with errors, so screen
 *   reader and keyboard users start at the list of what to fix (each item links to its field).
 */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  });
})();
