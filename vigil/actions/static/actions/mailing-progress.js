// The admin's "Sending to subscribers" page: fetch each language's figures every two
// seconds and show them, until every language is sent. Without JavaScript the page
// reloads itself instead (a <noscript> refresh).
(function () {
  "use strict";
  var table = document.querySelector("[data-mailing-progress]");
  if (!table || !window.fetch) return;
  var url = table.getAttribute("data-mailing-progress");
  var summary = document.querySelector('[data-field="summary"]');
  var finished = summary ? summary.getAttribute("data-finished") : "";

  function show(row) {
    var line = table.querySelector('tr[data-language="' + row.language + '"]');
    if (!line) return;
    line.querySelector('[data-field="status"]').textContent =
      row.status_label + (row.error ? " (" + row.error + ")" : "");
    line.querySelector('[data-field="count"]').textContent = row.sent + " / " + row.total;
    line.querySelector('[data-field="failed"]').textContent = String(row.failed);
    var bar = line.querySelector("progress");
    bar.max = Math.max(row.total, 1);
    bar.value = row.sent;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        data.languages.forEach(show);
        if (data.done) {
          if (summary && finished) summary.textContent = finished;
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        // A dropped connection or a restart: try again a little later.
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 2000);
})();
