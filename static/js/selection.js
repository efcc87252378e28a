// Selecting photos in the grid, on top of real checkboxes that work without it (the bar's form submits them):
// shift-click selects the range from the last clicked tile, a click on a tile toggles it once something is
// selected, `x` toggles the focused tile, shift+arrows extend, Ctrl/Cmd+A selects what is loaded, Esc clears,
// Delete moves the selection to the trash.
// A month's "Select this month" checks its loaded tiles (and tiles that scroll in later); the server expands
// months=YYYY-MM to the rest. Also: the count in the bar, and the bar's answers shown as toasts.
(function () {
  var form = document.getElementById("selection");
  if (!form) return;
  var count = document.getElementById("selection-count");
  var anchor = null;                      // the tile-box a range starts from

  function boxes() { return Array.prototype.slice.call(document.querySelectorAll(".tile-box")); }
  function check(box) { return box.querySelector(".tile-check"); }
  function monthCheck(month) {
    return document.querySelector(".month-check[value='" + month + "']");
  }
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") &&
      !(target.type === "radio" || target.type === "checkbox");
  }

  function update() {
    var n = 0;
    var months = {};
    document.querySelectorAll(".month-check:checked").forEach(function (box) {
      months[box.value] = true;
      n += parseInt(box.dataset.count, 10) || 0;
    });
    document.querySelectorAll(".tile-check:checked").forEach(function (box) {
      if (!months[box.closest(".tile-box").dataset.month]) n += 1;
    });
    count.textContent = n === 1 ? "1 photo selected" : n.toLocaleString() + " photos selected";
  }

  function set(box, on) {
    var input = check(box);
    if (input.checked === on) return;
    input.checked = on;
    if (!on) {
      var month = monthCheck(box.dataset.month);
      if (month) month.checked = false;     // else the server would select the whole month again
    }
  }

  function selectRange(from, to, on) {
    var all = boxes();
    var a = all.indexOf(from), b = all.indexOf(to);
    if (a < 0 || b < 0) return;
    for (var i = Math.min(a, b); i <= Math.max(a, b); i++) set(all[i], on);
  }

  function anySelected() {
    return !!document.querySelector(".tile-check:checked, .month-check:checked");
  }

  function clear() {
    document.querySelectorAll(".tile-check:checked, .month-check:checked").forEach(function (box) {
      box.checked = false;
    });
    form.querySelectorAll("details[open]").forEach(function (menu) { menu.open = false; });
    anchor = null;
    update();
  }

  // A click on a check (native toggle) or, while selecting, on the photo itself.
  document.addEventListener("click", function (event) {
    var input = event.target.closest(".tile-check");
    var link = event.target.closest("a.tile");
    if (!input && !(link && anySelected() && !event.ctrlKey && !event.metaKey && !event.altKey)) return;
    var box = (input || link).closest(".tile-box");
    if (link) {
      event.preventDefault();
      set(box, !check(box).checked);
    } else if (!check(box).checked) {
      set(box, false);                      // the native toggle happened; keep its month in step
    }
    if (event.shiftKey && anchor && anchor !== box && document.contains(anchor)) {
      selectRange(anchor, box, check(box).checked);
    }
    anchor = box;
    update();
  });

  document.addEventListener("change", function (event) {
    var month = event.target.closest(".month-check");
    if (!month) return;
    boxes().forEach(function (box) {
      if (box.dataset.month === month.value) set(box, month.checked);
    });
    update();
  });

  form.addEventListener("reset", function () { window.setTimeout(clear, 0); });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || typing(event.target)) return;
    var key = event.key;
    if (key === "Escape") {
      var open = form.querySelector("details[open]");
      if (open) { open.open = false; open.querySelector("summary").focus(); return; }
      if (anySelected() && !document.querySelector("dialog[open]")) { event.preventDefault(); clear(); }
      return;
    }
    if ((event.ctrlKey || event.metaKey) && key === "a") {
      if (!boxes().length) return;
      event.preventDefault();
      boxes().forEach(function (box) { set(box, true); });
      update();
      return;
    }
    if (event.ctrlKey || event.metaKey) return;
    if (key === "Delete" && anySelected()) {
      var trash = form.querySelector("[data-selection-key='Delete']");
      if (trash) { event.preventDefault(); trash.click(); }
      return;
    }
    var box = document.activeElement && document.activeElement.closest(".tile-box");
    if (!box) return;
    if (key === "x") {
      event.preventDefault();
      set(box, !check(box).checked);
      anchor = box;
      update();
      return;
    }
    if (key === "ArrowLeft" || key === "ArrowRight") {
      var all = boxes();
      var next = all[all.indexOf(box) + (key === "ArrowRight" ? 1 : -1)];
      if (!next) return;
      event.preventDefault();
      next.querySelector("a.tile").focus();
      if (event.shiftKey) {
        if (!anchor || !document.contains(anchor)) { anchor = box; }
        selectRange(anchor, next, true);
        update();
      }
    }
  });

  // Tiles that infinite scroll brings in: selected when their whole month is.
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll(".month-check:checked").forEach(function (month) {
      boxes().forEach(function (box) { if (box.dataset.month === month.value) set(box, true); });
    });
    update();
  });

  // The bar's answers: a refusal (403, 404, 413) still carries its toast, so let htmx swap it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (form.contains(event.detail.elt) && event.detail.xhr.status >= 400 && event.detail.xhr.status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    // The status, not `successful`: a refusal let through above counts as successful to htmx.
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (form.contains(event.detail.elt) && status >= 200 && status < 300) {
      var tag = form.querySelector("input[name='tag']");
      if (tag) tag.value = "";
      var back = anchor && document.contains(anchor) ? anchor.querySelector("a.tile") : null;
      clear();
      // The bar hides with the selection: focus goes back to the grid rather than being lost.
      (back || document.getElementById("main")).focus();
    }
  });

  update();
})();
