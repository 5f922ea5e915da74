// A refused form: move the focus to the list of what to correct, so that a screen
// reader reads it and the keyboard starts from it. Without JavaScript it is still the
// first thing on the page.
(function () {
  "use strict";
  var summary = document.getElementById("errors");
  if (summary) {
    summary.focus();
  }
})();
