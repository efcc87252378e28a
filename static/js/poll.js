// Live parts of pages ([data-poll], e.g. the job dashboard and the header's status) poll with htmx's
// `every Ns`. A hidden tab should not keep asking: while document.hidden, their requests are cancelled
// (htmx keeps its timer, so polling resumes by itself), and when the tab shows again each asks at once.
// This replaces a trigger filter like `[document.visibilityState === 'visible']`, which htmx evaluates
// with eval and our Content-Security-Policy forbids.
(function () {
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (document.hidden && elt && elt.hasAttribute && elt.hasAttribute("data-poll")) {
      event.preventDefault();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden || !window.htmx) return;
    document.querySelectorAll("[data-poll]").forEach(function (elt) { window.htmx.trigger(elt, "refresh"); });
  });
})();
