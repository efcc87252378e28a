// Keyboard shortcuts: a key clicks the element that declares it (data-key or aria-keyshortcuts).
// Single keys act only outside text fields and without Ctrl/Alt/Meta.
(function () {
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") &&
      !(target.type === "radio" || target.type === "checkbox");
  }
  // `f` on a focused grid tile: favourite it (or not) where it stands; the answer swaps the tile's mark
  // out of band. On the photo page the heart button carries data-key="f" and is clicked like any other.
  function favouriteTile(target) {
    var tile = target.closest && target.closest("a.tile");
    var mark = tile && document.getElementById("fav-tile-" + tile.id.slice(1));
    if (!mark || !window.htmx) return false;
    var on = mark.getAttribute("data-favourite") === "true";
    htmx.ajax("POST", "/photos/" + tile.id.slice(1) + (on ? "/unfavourite" : "/favourite"),
              {source: mark, target: mark, swap: "none"});
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
    var key = event.key;
    if (key === "/") {
      var search = document.querySelector("[aria-keyshortcuts='/']");
      if (search) { event.preventDefault(); search.focus(); }
      return;
    }
    if (/^[0-5]$/.test(key)) {
      var star = document.getElementById("rate-" + key);
      if (star) { event.preventDefault(); star.click(); }
      return;
    }
    if (key === "f" && favouriteTile(event.target)) {
      event.preventDefault();
      return;
    }
    if (key === "t") {
      var tag = document.querySelector("[aria-keyshortcuts='t']");
      if (tag) { event.preventDefault(); tag.focus(); }
      return;
    }
    var target = document.querySelector("[data-key='" + key + "']") ||
      (key === "u" ? document.querySelector("[aria-keyshortcuts='u']") : null);
    if (target) { event.preventDefault(); target.click(); }
  });
})();
