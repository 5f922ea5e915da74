// The "Copy link" button of the share links: shown only where a script can copy; without
// JavaScript the reader selects the link in its field. The field selects itself on focus.
(function () {
  "use strict";
  document.querySelectorAll(".share__copy").forEach(function (box) {
    var field = box.querySelector(".share__url");
    var button = box.querySelector(".share__copy-button");
    if (!field || !button) return;
    field.addEventListener("focus", function () { field.select(); });
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        var label = button.textContent;
        button.textContent = button.dataset.copied;
        setTimeout(function () { button.textContent = label; }, 2000);
      }, function () { field.focus(); field.select(); });
    });
  });
})();
