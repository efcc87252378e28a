// One confirmation, asked once: a form with data-confirm carries a confirm box for pages without JS (the
// server refuses it unticked); here the box is hidden and the question asked in a dialog instead, for the
// button and for its key alike (keys.js clicks the button). Runs in the capture phase, before htmx sees
// the submit: a cancelled dialog stops it there.
(function () {
  function enhance(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      var box = form.querySelector("input[type=checkbox][name=confirm]");
      if (!box || form.classList.contains("js-confirm")) return;
      box.required = false;
      form.classList.add("js-confirm");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function () { enhance(document); });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.js-confirm[data-confirm]")) return;
    var box = form.querySelector("input[type=checkbox][name=confirm]");
    if (box && box.checked) return;
    if (window.confirm(form.getAttribute("data-confirm"))) {
      if (box) box.checked = true;
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }, true);
})();
