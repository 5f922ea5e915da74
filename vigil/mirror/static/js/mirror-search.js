/*
 * Search inside a static copy of the site, with no server: the page loads its
 * language's index (search-index.js sets window.VIGIL_SEARCH_INDEX) and this
 * script matches every word of the query, as a word prefix, in titles,
 * summaries and text. Without JavaScript the page says so and links to the
 * live site's search.
 */
(function () {
  "use strict";

  function words(text) {
    return (text || "").toLocaleLowerCase().normalize("NFC").match(/[\p{L}\p{N}]+/gu) || [];
  }

  function score(entry, terms) {
    var fields = [[words(entry.t), 5], [words(entry.s), 2], [words(entry.x), 1]];
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var best = 0;
      for (var f = 0; f < fields.length; f++) {
        var list = fields[f][0];
        for (var w = 0; w < list.length; w++) {
          if (list[w].indexOf(terms[i]) === 0) { best = Math.max(best, fields[f][1]); break; }
        }
      }
      if (best === 0) { return 0; }
      total += best;
    }
    return total;
  }

  function show(form, index) {
    var params = new URLSearchParams(window.location.search);
    var query = (params.get("q") || "").slice(0, 200);
    var input = form.querySelector("input[name=q]");
    input.value = query;
    var status = document.getElementById("mirror-search-status");
    var results = document.getElementById("mirror-search-results");
    var terms = words(query);
    if (!terms.length) { return; }
    var found = [];
    for (var i = 0; i < index.length; i++) {
      var s = score(index[i], terms);
      if (s > 0) { found.push([s, i]); }
    }
    found.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    status.hidden = false;
    status.textContent = found.length
      ? status.getAttribute("data-found").replace("{query}", query).replace("{count}", String(found.length))
      : status.getAttribute("data-none");
    results.textContent = "";
    found.slice(0, 50).forEach(function (hit) {
      var entry = index[hit[1]];
      var article = element("article", "card");
      var link = element("a", "", entry.t);
      link.href = entry.u;
      article.appendChild(element("h2", "card__title")).appendChild(link);
      if (entry.d) {
        var time = element("time", "", entry.d);
        time.dateTime = entry.d;
        article.appendChild(element("p", "card__meta")).appendChild(time);
      }
      if (entry.s) { article.appendChild(element("p", "card__summary", entry.s)); }
      results.appendChild(article);
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function start() {
    var form = document.getElementById("mirror-search");
    var index = window.VIGIL_SEARCH_INDEX;
    if (!form || !Array.isArray(index)) { return; }
    var explanation = document.querySelector(".mirror-search__nojs");
    if (explanation) { explanation.hidden = true; }
    show(form, index);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
