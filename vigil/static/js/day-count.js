/*
 * Keeps every days-detained figure right on the day it is read, even from a
 * cached page or a static mirror made weeks ago. The server's number stays in
 * place when this script does not run.
 */
(function () {
  "use strict";

  function todayIn(timeZone) {
    // en-CA formats as YYYY-MM-DD.
    var parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: timeZone, year: "numeric", month: "2-digit", day: "2-digit"
    }).format(new Date());
    return parts;
  }

  function toUTCDays(isoDate) {
    var p = isoDate.split("-");
    return Date.UTC(+p[0], +p[1] - 1, +p[2]) / 86400000;
  }

  // The server's UTC offset of the time zone, as it was on the day it counted: away
  // from midnight it tells the date there without the time-zone formatter, which
  // costs tens of milliseconds on a phone. Near midnight (where a change of summer
  // time could move the date) the formatter decides.
  function stillThatDay(el, day) {
    var offset = parseInt(el.getAttribute("data-utc-offset"), 10);
    if (isNaN(offset)) { return false; }
    var local = new Date(Date.now() + offset * 60000);
    var minutes = local.getUTCHours() * 60 + local.getUTCMinutes();
    var nearMidnight = minutes < 120 || minutes > 22 * 60;
    return !nearMidnight && local.toISOString().slice(0, 10) === day;
  }

  function update(el) {
    var tz = el.getAttribute("data-time-zone") || "UTC";
    var computedOn = el.getAttribute("data-computed-on");
    if (stillThatDay(el, computedOn)) { return; }
    var today;
    try { today = todayIn(tz); } catch (e) { return; }
    if (today === computedOn) { return; }
    var end = el.getAttribute("data-released-on") || today;
    var days = Math.max(0, toUTCDays(end) - toUTCDays(el.getAttribute("data-detained-on")));
    var number = el.querySelector(".day-count__number");
    var lang = document.documentElement.lang || "en";
    if (number) { number.textContent = new Intl.NumberFormat(lang).format(days); }
    // The word must agree with the new number (21 день, 22 дня, 25 дней).
    var word = el.querySelector(".day-count__word");
    if (word) {
      var form = word.getAttribute("data-" + new Intl.PluralRules(lang).select(days));
      if (form) { word.textContent = form; }
    }
    var asOf = el.querySelector(".day-count__asof");
    if (asOf) { asOf.hidden = true; }
    el.setAttribute("data-computed-on", today);
  }

  function run() {
    var els = document.querySelectorAll(".day-count[data-detained-on]");
    for (var i = 0; i < els.length; i++) { update(els[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
