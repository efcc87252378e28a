// Keyboard shortcuts: a key clicks the element that declares it (data-key or aria-keyshortcuts).
// Single keys act only outside text fields, without Ctrl/Alt/Meta and while no dialog is open (the dialog
// has Esc). `?` opens the list of shortcuts (partials/shortcuts.html).
// This file is loaded in <head> without `defer`: a key pressed while the page is still arriving (→ held
// through a slow photo page) is kept and acts once the page's elements exist.
(function () {
  var early = [];
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
  function showShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (!dialog || dialog.open) return false;
    dialog.showModal();                      // focus goes back to the opener when it closes
    return true;
  }
  function act(event) {
    if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    var key = event.key;
    if (key === "?") {
      if (showShortcuts()) event.preventDefault();
      return;
    }
    if (key === "D" && event.shiftKey) {
      var download = document.querySelector("[aria-keyshortcuts='Shift+D']");
      if (download) { event.preventDefault(); download.click(); }
      return;
    }
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
  }
  document.addEventListener("keydown", function (event) {
    if (document.readyState === "loading") {
      early.push({key: event.key, shiftKey: event.shiftKey, ctrlKey: event.ctrlKey, altKey: event.altKey,
                  metaKey: event.metaKey, target: document.body, preventDefault: function () {}});
      return;
    }
    act(event);
  });
  // "interactive": the page is parsed; deferred scripts (htmx) may still be on their way, keys need not wait.
  document.addEventListener("readystatechange", function () {
    if (document.readyState !== "interactive") return;
    var opener = document.querySelector("button[data-key='?']");
    if (opener && document.getElementById("shortcuts")) {
      opener.hidden = false;
      opener.addEventListener("click", showShortcuts);
    }
    var queued = early;
    early = [];
    queued.forEach(act);
  });
})();

// The header's search suggestions (partials/search_suggestions.html): ↓ from the box goes to the first,
// ↑ ↓ move between them (↑ from the first goes back to the box), Esc empties the list and returns to the
// box. Listened to while capturing, so these keys never reach the shortcuts above.
document.addEventListener("keydown", function (event) {
  var form = event.target.closest && event.target.closest("form.search");
  var panel = form && form.querySelector(".search-suggestions");
  if (!panel || event.ctrlKey || event.altKey || event.metaKey) return;
  var links = Array.prototype.slice.call(panel.querySelectorAll("a"));
  var box = form.querySelector("input[name='q']");
  var at = links.indexOf(event.target);
  var next = null;
  if (event.key === "ArrowDown" && links.length) {
    next = links[Math.min(at + 1, links.length - 1)];
  } else if (event.key === "ArrowUp" && at >= 0) {
    next = at === 0 ? box : links[at - 1];
  } else if (event.key === "Escape" && panel.firstElementChild) {
    panel.replaceChildren();
    next = box;
  }
  if (next) {
    event.preventDefault();
    event.stopPropagation();
    next.focus();
  }
}, true);
