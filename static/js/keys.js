// Keyboard shortcuts: a key clicks the element that declares it (data-key or aria-keyshortcuts).
// Single keys act only outside text fields and without Ctrl/Alt/Meta.
(function () {
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") &&
      !(target.type === "radio" || target.type === "checkbox");
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
