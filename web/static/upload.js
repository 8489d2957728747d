/* Batch upload: drag and drop many files, one request per file so each gets its own progress bar
   (XMLHttpRequest upload.onprogress), then the batch's live status (batch.js). Without JavaScript the
   same form posts every file at once to /upload. */
(function () {
  "use strict";

  var PARALLEL = 2;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function formatSize(bytes) {
    var units = ["byte", "KiB", "MiB", "GiB", "TiB"], value = bytes, unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
    var shown = unit === 0 ? String(value) : value.toFixed(1).replace(/\.0$/, "");
    return shown.replace(".", ",") + " " + units[unit];
  }

  function cell(tr, value, className) {
    var td = document.createElement("td");
    if (value !== undefined) { td.textContent = value; }
    if (className) { td.className = className; }
    tr.appendChild(td);
    return td;
  }

  function errorMessage(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && typeof body.detail === "string") { return body.detail; }
    } catch (ignored) { /* not JSON */ }
    return xhr.status ? "Lỗi " + xhr.status + " khi tải lên." : "Mất kết nối khi tải lên; hãy thử lại.";
  }

  function init(form) {
    var input = form.querySelector("#files");
    var zone = form.querySelector("#drop-zone");
    var table = form.querySelector("#file-list");
    var body = table.querySelector("tbody");
    var start = form.querySelector("#start");
    var clear = form.querySelector("#clear");
    var summary = form.querySelector("#upload-summary");
    var live = document.getElementById("live");
    var liveLink = document.getElementById("live-link");
    var statusRoot = live.querySelector("[data-batch-status]");
    var maxBytes = Number(form.dataset.maxFileBytes);
    var maxFiles = Number(form.dataset.maxFiles);
    var accepted = form.dataset.accept.split(",");
    var items = [];
    var busy = false;

    form.classList.add("js");
    input.required = false;

    function refusal(file) {
      var dot = file.name.lastIndexOf(".");
      var suffix = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
      if (accepted.indexOf(suffix) < 0) {
        return "Chỉ nhận bản quét PDF, TIFF, PNG hoặc JPEG (đuôi " + (suffix || "trống") + ").";
      }
      if (file.size > maxBytes) { return "Lớn hơn giới hạn " + form.dataset.maxFileSize + " cho mỗi tệp."; }
      return null;
    }

    function add(files) {
      if (busy) { return; }
      Array.prototype.forEach.call(files, function (file) {
        var tr = document.createElement("tr");
        cell(tr, file.name);
        cell(tr, formatSize(file.size), "num");
        var progress = document.createElement("progress");
        progress.max = 100;
        progress.value = 0;
        cell(tr, undefined).appendChild(progress);
        var result = cell(tr, "", "result");
        var item = { file: file, row: tr, progress: progress, result: result, done: false };
        var why = refusal(file);
        if (why) { finish(item, why, "bad"); }
        body.appendChild(tr);
        items.push(item);
      });
      table.hidden = items.length === 0;
      clear.hidden = items.length === 0;
      var waiting = items.filter(function (i) { return !i.done; }).length;
      summary.textContent = waiting + " tệp sẵn sàng tải lên" + (waiting > maxFiles ? " (quá " + maxFiles + " tệp: chỉ " + maxFiles + " tệp đầu được nhận)." : ".");
    }

    function finish(item, message, kind) {
      item.done = true;
      item.result.textContent = message;
      item.result.className = "result " + kind;
    }

    function send(batchId, item, next) {
      var data = new FormData();
      data.append("file", item.file, item.file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/batches/" + encodeURIComponent(batchId) + "/files");
      xhr.setRequestHeader("X-CSRF-Token", csrfToken());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) { item.progress.value = Math.round(100 * event.loaded / event.total); }
      };
      xhr.onload = function () {
        item.progress.value = 100;
        if (xhr.status === 200 || xhr.status === 201) {
          var doc = JSON.parse(xhr.responseText);
          if (doc.status === "rejected" || doc.status === "failed") {
            finish(item, doc.status_name + ": " + (doc.reason || ""), "bad");
          } else if (doc.duplicate) {
            finish(item, "Trùng tệp đã nhận trước (" + doc.status_name + ")", "dup");
          } else {
            finish(item, "Đã nhận", "ok");
          }
        } else {
          finish(item, errorMessage(xhr), "bad");
        }
        next();
      };
      xhr.onerror = function () { finish(item, errorMessage(xhr), "bad"); next(); };
      xhr.send(data);
    }

    function createBatch(then) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/batches");
      xhr.setRequestHeader("X-CSRF-Token", csrfToken());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.onload = function () {
        if (xhr.status === 201) { then(JSON.parse(xhr.responseText).id); } else { stop(errorMessage(xhr)); }
      };
      xhr.onerror = function () { stop(errorMessage(xhr)); };
      xhr.send();
    }

    function stop(message) {
      busy = false;
      start.disabled = false;
      summary.textContent = message;
    }

    function upload() {
      var queue = items.filter(function (i) { return !i.done; });
      if (queue.length === 0) { summary.textContent = "Chưa chọn tệp nào để tải lên."; return; }
      busy = true;
      start.disabled = true;
      clear.hidden = true;
      summary.textContent = "Đang tải lên " + queue.length + " tệp…";
      createBatch(function (batchId) {
        live.hidden = false;
        liveLink.href = "/batches/" + encodeURIComponent(batchId);
        liveLink.textContent = "(mở trang của lô)";
        statusRoot.dataset.uploading = "true";
        window.SohoaBatch.watch(batchId, statusRoot);
        var running = 0, sent = 0;
        function pump() {
          while (running < PARALLEL && queue.length) {
            running += 1;
            send(batchId, queue.shift(), function () {
              running -= 1;
              sent += 1;
              if (queue.length === 0 && running === 0) {
                statusRoot.dataset.uploading = "false";
                busy = false;
                summary.textContent = "Đã gửi " + sent + " tệp. Theo dõi xử lý bên dưới.";
                window.SohoaBatch.watch(batchId, statusRoot);
              } else {
                pump();
              }
            });
          }
        }
        pump();
      });
    }

    input.addEventListener("change", function () { add(input.files); input.value = ""; });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("dragover"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.remove("dragover"); });
    });
    zone.addEventListener("drop", function (event) { add(event.dataTransfer.files); });
    clear.addEventListener("click", function () {
      items = [];
      body.replaceChildren();
      table.hidden = true;
      clear.hidden = true;
      summary.textContent = "";
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); if (!busy) { upload(); } });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("upload-form");
    if (form && window.XMLHttpRequest && window.FormData) { init(form); }
  });
})();
