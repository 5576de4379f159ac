/* Live preview of a post form: sends the form as typed (never the file) and draws what residents would get. */
(function () {
  "use strict";
  var box = document.getElementById("preview");
  if (!box || !window.TsunagariFlex) return;

  function draw(message) {
    while (box.firstChild) box.removeChild(box.firstChild);
    box.appendChild(window.TsunagariFlex.renderMessage(message));
  }

  var stored = document.getElementById("preview-data");
  if (stored) { try { draw(JSON.parse(stored.textContent)); } catch (e) { /* leave the box empty */ } }

  var form = document.getElementById("post-form");
  if (!form) return;
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var problems = document.getElementById("preview-problems");
  var timer = null, touched = {};

  function showErrors(errors) {
    form.querySelectorAll(".field").forEach(function (field) {
      var input = field.querySelector("input, select, textarea");
      var out = field.querySelector(".error");
      if (!input || !out || !touched[input.name]) return;
      var list = errors[input.name] || [];
      out.textContent = list.join(" ");
      out.hidden = list.length === 0;
      field.classList.toggle("has-error", list.length > 0);
    });
  }

  function refresh() {
    var data = new FormData(form);
    data.delete("image");
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST", body: data, credentials: "same-origin", headers: {"X-CSRFToken": token}
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (result) {
      if (!result) return;
      draw(result.message);
      showErrors(result.errors || {});
      while (problems.firstChild) problems.removeChild(problems.firstChild);
      (result.line_problems || []).forEach(function (p) { var li = document.createElement("li"); li.textContent = p; problems.appendChild(li); });
      var reach = document.getElementById("reach");  // notices: how many residents the segment reaches now
      if (reach && typeof result.reach === "number") reach.textContent = "いまの対象：" + result.reach + "人";
    }).catch(function () { /* preview is a help, never a blocker */ });
  }

  function schedule(event) {
    if (event && event.target && event.target.name) touched[event.target.name] = true;
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  refresh();
})();
