// The grid gains photos as they finish, without a reload. The header's poll answers with the HTMX event
// "photos-changed" when its counts moved (photonix/web/jobs_overview.py); the grid then fetches its first
// page again, the same URL as an HTMX request (the fragment alone), into #grid. Not while the visitor is
// busy with it: with photos selected, or scrolled past the first rows, the grid waits for the next change
// (or a reload) rather than move under their hands.
(function () {
  var SCROLLED_PX = 600;
  document.body.addEventListener("photos-changed", function () {
    var grid = document.getElementById("grid");
    if (!grid || !window.htmx) return;
    if (document.querySelector(".tile-check:checked, .month-check:checked")) return;
    if (window.scrollY > SCROLLED_PX) return;
    window.htmx.ajax("GET", window.location.pathname + window.location.search,
                     {target: "#grid", swap: "innerHTML"});
  });
})();
