/* Poll a job (GET data-job-url every second) until it is done or failed; then
 * go to its result (data-next with 2147483647 replaced by result[data-next-key])
 * or show its error. Text goes in with textContent only. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var labels = document.getElementById("job-labels").dataset;
  var status = document.getElementById("job-status");
  var text = document.getElementById("job-text");
  var bar = document.getElementById("job-progress");
  var error = document.getElementById("job-error");

  function show(job) {
    status.textContent = labels[job.status] || job.status;
    text.textContent = job.progress_text || "";
    bar.value = job.progress || 0;
    if (job.status === "failed") {
      error.textContent = (job.error && job.error.message) || "";
      error.hidden = false;
      return true;
    }
    if (job.status === "done") {
      var next = box.dataset.next, key = box.dataset.nextKey;
      if (next && key && job.result && job.result[key]) {
        window.location.assign(next.replace("2147483647", String(job.result[key])));
      }
      return true;
    }
    return false;
  }

  function poll() {
    fetch(box.dataset.jobUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job || !show(job)) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (status.textContent && bar) { window.setTimeout(poll, 500); }
})();
