/* Live status of a batch: polls GET /api/v1/batches/{id} and redraws the status block (see _batch_status.html).
   Exposed as window.SohoaBatch.watch(batchId, element) for the upload page; starts by itself on a batch page. */
(function () {
  "use strict";

  var POLL_MS = 2000;

  function text(tag, value, className) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (className) { el.className = className; }
    return el;
  }

  function row(doc) {
    var tr = document.createElement("tr");
    var name = document.createElement("td");
    if (doc.status === "archived") {
      var open = text("a", doc.filename);
      open.href = "/documents/" + encodeURIComponent(doc.document_id);
      name.appendChild(open);
    } else {
      name.textContent = doc.filename;
    }
    if (doc.duplicate) { name.appendChild(document.createTextNode(" ")); name.appendChild(text("span", "trùng tệp đã nhận", "tag")); }
    tr.appendChild(name);
    var status = document.createElement("td");
    status.appendChild(text("span", doc.status_name, "status " + doc.status));
    tr.appendChild(status);
    tr.appendChild(text("td", doc.pages_done + "/" + doc.pages_total, "num"));
    var reasons = document.createElement("td");
    doc.reasons.forEach(function (reason) { reasons.appendChild(text("div", reason, "reason")); });
    if (doc.status === "needs_review") {
      var link = text("a", "Kiểm tra");
      link.href = "/review/" + encodeURIComponent(doc.document_id);
      reasons.appendChild(link);
    }
    tr.appendChild(reasons);
    return tr;
  }

  function draw(root, status) {
    var t = status.totals;
    var values = {
      files: t.files, processing: t.received + t.processing, archived: t.archived, needs_review: t.needs_review,
      rejected: t.rejected, failed: t.failed, duplicates: t.duplicates, refused: t.refused,
      pages: t.pages_done + "/" + t.pages_total
    };
    Object.keys(values).forEach(function (key) {
      var el = root.querySelector('[data-total="' + key + '"]');
      if (el) { el.textContent = values[key]; }
    });
    var progress = root.querySelector("[data-progress]");
    if (progress) {
      progress.max = Math.max(t.documents, 1);
      progress.value = t.archived + t.needs_review + t.rejected + t.failed;
    }
    var state = root.querySelector("[data-state]");
    if (state) { state.textContent = t.finished ? "Đã xử lý xong mọi tệp của lô." : "Đang xử lý; trang tự cập nhật."; }
    var body = root.querySelector("[data-documents]");
    body.replaceChildren.apply(body, status.documents.map(row));
    var refusedBlock = root.querySelector("[data-refused-block]");
    var refused = root.querySelector("[data-refused]");
    refused.replaceChildren.apply(refused, status.refused.map(function (r) {
      var tr = document.createElement("tr");
      tr.appendChild(text("td", r.filename));
      tr.appendChild(text("td", r.reason, "error"));
      return tr;
    }));
    refusedBlock.hidden = status.refused.length === 0;
    root.dataset.finished = t.finished ? "true" : "false";
  }

  /* Poll until the batch is finished and nothing is still being uploaded into it (root.dataset.uploading). */
  function watch(batchId, root) {
    root.dataset.batchId = batchId;
    if (root.sohoaTimer) { clearTimeout(root.sohoaTimer); }
    function poll() {
      var xhr = new XMLHttpRequest();
      xhr.open("GET", "/api/v1/batches/" + encodeURIComponent(batchId));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.onload = function () {
        if (xhr.status === 200) {
          var status = JSON.parse(xhr.responseText);
          draw(root, status);
          if (status.totals.finished && root.dataset.uploading !== "true") { return; }
        }
        root.sohoaTimer = setTimeout(poll, POLL_MS);
      };
      xhr.onerror = function () { root.sohoaTimer = setTimeout(poll, POLL_MS * 3); };
      xhr.send();
    }
    poll();
  }

  window.SohoaBatch = { watch: watch };

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-batch-status][data-batch-id]");
    if (root && root.dataset.finished !== "true") { watch(root.dataset.batchId, root); }
  });
})();
