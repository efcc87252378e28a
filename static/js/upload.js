// Upload: enhances the plain form with drop-anywhere, paste, and one XHR per file (three at a time),
// each with its own labelled <progress> fed by xhr.upload.onprogress, then replaced by the server's row.
// htmx:xhr:progress would cover one request for all files; per-file requests let each row show its own state.
(function () {
  var form = document.getElementById("upload-form");
  if (!form) return;
  var input = document.getElementById("upload-files");
  var library = document.getElementById("upload-library");
  var list = document.getElementById("upload-rows");
  var summary = document.getElementById("upload-summary");
  var overlay = document.getElementById("drop-overlay");
  var maxBytes = Number(form.dataset.maxBytes), maxMb = form.dataset.maxMb;
  var extensions = form.dataset.extensions.split(" ");
  var PARALLEL = 3, queue = [], active = 0, total = 0, counts = { done: 0, failed: 0, known: 0 };
  var lastSpoken = 0, summaryTimer = null;
  // Answers other than a row, in words (never raw error text, immich#8356); true: a retry may help.
  var PROBLEMS = {
    401: ["you were signed out — sign in again, then retry", true],
    403: ["refused — reload the page and try again", true],
    404: ["that library isn't here any more", false],
    413: ["too big for one upload — use photonix import on the server", false]
  };

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["x-csrftoken"];
    } catch (e) { /* no hx-headers: fall back to the cookie */ }
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // The live region speaks at most every 2 s, and at once when the last file settles (UI.md §4).
  function showSummary() {
    var now = Date.now(), finished = counts.done === total;
    if (!finished && now - lastSpoken < 2000) {
      if (!summaryTimer) summaryTimer = setTimeout(function () { summaryTimer = null; showSummary(); }, 2000);
      return;
    }
    lastSpoken = now;
    summary.textContent = counts.done + " of " + total + " done · " + counts.failed + " failed · " +
      counts.known + " already in library";
  }

  function settle(row, outcome) {
    counts.done += 1;
    if (outcome === "failed") counts.failed += 1;
    if (outcome === "known") counts.known += 1;
    showSummary();
  }

  // Rows are built with textContent, never innerHTML: file names come from the user's disk.
  function failRow(row, sentence, item) {
    row.className = "upload-row failed";
    row.dataset.outcome = "failed";
    row.textContent = "";
    var text = document.createElement("span");
    text.className = "upload-error";
    text.textContent = sentence;
    row.appendChild(text);
    if (item) {       // network and server trouble: the same file may well go through on a second try
      var retry = document.createElement("button");
      retry.type = "button";
      retry.textContent = "Retry";
      retry.setAttribute("aria-label", "Retry " + item.file.name);
      retry.addEventListener("click", function () {
        counts.done -= 1; counts.failed -= 1;
        startRow(row, item.file, item.library);
      });
      row.appendChild(retry);
    }
    settle(row, "failed");
  }

  function startRow(row, file, libraryId) {
    row.className = "upload-row sending";
    row.dataset.outcome = "sending";
    row.textContent = "";
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", "Uploading " + file.name);
    var percent = document.createElement("span");
    percent.className = "upload-percent";
    percent.textContent = "0 %";
    row.append(name, bar, percent);
    queue.push({ row: row, file: file, library: libraryId, bar: bar, percent: percent });
    pump();
  }

  function refusal(file) {
    var ext = file.name.indexOf(".") < 0 ? "" : file.name.split(".").pop().toLowerCase();
    if (extensions.indexOf(ext) < 0) return file.name + ": not a photo type Photonix reads";
    if (file.size === 0) return file.name + ": the file is empty";
    if (file.size > maxBytes) {
      var mb = (file.size / 1048576).toFixed(1);
      return file.name + ": " + mb + " MB is over the " + maxMb + " MB upload limit";
    }
    return null;
  }

  function addFiles(files) {
    for (var i = 0; i < files.length; i++) {
      var row = document.createElement("li");
      list.appendChild(row);
      total += 1;
      var why = refusal(files[i]);   // the server checks again; this spares sending what it would refuse
      if (why) failRow(row, why, null); else startRow(row, files[i], library.value);
    }
    showSummary();
  }

  function pump() {
    while (active < PARALLEL && queue.length) send(queue.shift());
  }

  function send(item) {
    active += 1;
    var data = new FormData();
    data.append("library", item.library);
    data.append("files", item.file, item.file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("x-csrftoken", csrfToken());
    xhr.setRequestHeader("HX-Request", "true");     // asks for the rows fragment, not the whole page
    xhr.upload.onprogress = function (event) {
      if (!event.lengthComputable) return;
      var pct = Math.floor(100 * event.loaded / event.total);
      item.bar.value = pct;
      item.percent.textContent = pct + " %";
    };
    xhr.onload = function () {
      if (xhr.status === 200 || xhr.status === 422) return replaceRow(item, xhr.responseText);
      var why = PROBLEMS[xhr.status] || ["something went wrong on our side — try again", true];
      failRow(item.row, item.file.name + ": " + why[0], why[1] ? item : null);
    };
    xhr.onerror = function () {
      failRow(item.row, item.file.name + ": couldn't upload — connection lost", item);
    };
    xhr.onloadend = function () { active -= 1; pump(); };
    xhr.send(data);
  }

  function replaceRow(item, html) {
    var template = document.createElement("template");
    template.innerHTML = html;      // our own server's fragment, escaped by Jinja
    var answer = template.content.querySelector("li");
    if (!answer) {
      return failRow(item.row, item.file.name + ": something went wrong on our side — try again", item);
    }
    item.row.replaceWith(answer);
    if (window.htmx) window.htmx.process(answer);
    settle(answer, answer.dataset.outcome);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    addFiles(input.files);
    input.value = "";
  });
  input.addEventListener("change", function () { addFiles(input.files); input.value = ""; });
  input.required = false;     // with JavaScript, choosing files starts them; an empty submit is harmless

  // Drop anywhere: the overlay names the library the files will go to.
  var depth = 0;
  function carriesFiles(event) {
    return event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0;
  }
  document.addEventListener("dragenter", function (event) {
    if (!carriesFiles(event)) return;
    depth += 1;
    document.getElementById("drop-library").textContent = library.options[library.selectedIndex].text;
    overlay.hidden = false;
  });
  document.addEventListener("dragleave", function (event) {
    if (carriesFiles(event) && --depth <= 0) { depth = 0; overlay.hidden = true; }
  });
  document.addEventListener("dragover", function (event) {
    if (carriesFiles(event)) event.preventDefault();
  });
  document.addEventListener("drop", function (event) {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth = 0; overlay.hidden = true;
    addFiles(event.dataTransfer.files);
  });
  document.addEventListener("paste", function (event) {
    if (event.clipboardData && event.clipboardData.files.length) addFiles(event.clipboardData.files);
  });

  // Leaving mid-upload loses the files still queued or sending (immich#15042): ask first.
  window.addEventListener("beforeunload", function (event) {
    if (active || queue.length) { event.preventDefault(); event.returnValue = ""; }
  });
})();
