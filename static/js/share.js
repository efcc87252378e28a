// Share viewer: a horizontal swipe clicks the previous / next link (keys.js already maps ← → Esc).
// Without JavaScript those links work as they are; swipe is never the only way.
(function () {
  var stage = document.querySelector("[data-swipe]");
  if (!stage) return;
  var startX = null, startY = null;
  stage.addEventListener("touchstart", function (event) {
    if (event.touches.length !== 1) { startX = null; return; }
    startX = event.touches[0].clientX; startY = event.touches[0].clientY;
  }, { passive: true });
  stage.addEventListener("touchend", function (event) {
    if (startX === null) return;
    var dx = event.changedTouches[0].clientX - startX, dy = event.changedTouches[0].clientY - startY;
    startX = null;
    if (Math.abs(dx) < 50 || Math.abs(dx) < 1.5 * Math.abs(dy)) return;   // a tap or a scroll, not a swipe
    var link = stage.querySelector(dx > 0 ? "a.nav.prev" : "a.nav.next");
    if (link) link.click();
  });
})();
