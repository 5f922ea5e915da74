/*
 * The case page's folded sections (<details>): a link to anything inside one opens it,
 * and printing unfolds them all. Chromium already opens details around a link's target
 * itself, and vigil.css unfolds them in print where ::details-content is known; this
 * does both in other browsers. Without it a folded section is one tap away.
 */
(function () {
  "use strict";

  function reveal() {
    var id = location.hash.slice(1);
    if (!id) { return; }
    try { id = decodeURIComponent(id); } catch (e) { return; }
    var target = document.getElementById(id);
    if (!target) { return; }
    var opened = false;
    for (var el = target.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS" && !el.open) {
        el.open = true;
        opened = true;
      }
    }
    // The browser scrolled while the target was folded away: scroll to it now.
    if (opened) { target.scrollIntoView(); }
  }

  // A link to the fragment already in the address changes nothing, so no hashchange:
  // after a reader folded the section again, the link must still open it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href*='#']") : null;
    if (link && link.hash && link.hash === location.hash && link.pathname === location.pathname) {
      setTimeout(reveal, 0);
    }
  });
  window.addEventListener("hashchange", reveal);

  // Paper has no summary to tap: unfold everything while printing, then fold back
  // what the reader had folded.
  var unfolded = [];
  window.addEventListener("beforeprint", function () {
    var closed = document.querySelectorAll("details:not([open])");
    for (var i = 0; i < closed.length; i++) {
      closed[i].open = true;
      unfolded.push(closed[i]);
    }
  });
  window.addEventListener("afterprint", function () {
    for (var i = 0; i < unfolded.length; i++) { unfolded[i].open = false; }
    unfolded = [];
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reveal);
  } else {
    reveal();
  }
})();
