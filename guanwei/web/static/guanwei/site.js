// Ask before destructive buttons (data-confirm); no inline script, CSP-friendly.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// Live countdowns (data-countdown="ISO time"), in the words of the time_left template
// filter that rendered the first text: "还剩 1 天 2 小时", "还剩 3 小时 15 分钟", and under an
// hour with seconds, "还剩 9 分 42 秒"; past the time "已超时 3 分 5 秒" — or, with
// data-minutes (a breached correction still owed), "已超时 3 分钟".
function guanweiSpan(s) {
  var minutes = Math.floor(s / 60);
  var days = Math.floor(minutes / 1440);
  var hours = Math.floor((minutes % 1440) / 60);
  minutes = minutes % 60;
  if (days) return days + " 天" + (hours ? " " + hours + " 小时" : "");
  if (hours) return hours + " 小时" + (minutes ? " " + minutes + " 分钟" : "");
  return (minutes ? minutes + " 分 " : "") + (s % 60) + " 秒";
}
function guanweiCountdowns() {
  var now = Date.now();
  document.querySelectorAll("[data-countdown]").forEach(function (el) {
    var due = Date.parse(el.getAttribute("data-countdown"));
    if (isNaN(due)) return;
    var ms = due - now;
    var late = ms < 0;
    var s = Math.floor(Math.abs(ms) / 1000);
    var text = (late ? "已超时 " : "还剩 ") + guanweiSpan(s);
    if (late && el.hasAttribute("data-minutes") && s < 3600) {
      // a breached correction still owed (W-11): whole minutes, as time_left says it
      text = s < 60 ? "已超时不到 1 分钟" : "已超时 " + Math.floor(s / 60) + " 分钟";
    }
    el.textContent = text;
    el.classList.toggle("late", late);
  });
}
document.addEventListener("DOMContentLoaded", function () {
  guanweiCountdowns();
  window.setInterval(guanweiCountdowns, 1000);
});

// A file over the upload limit (data-max-bytes on the file input, issue #9 §15) is refused
// in the browser before anything is sent, so nothing typed in the form is lost; the server
// refuses it too (413, and the upload action).
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
  var max = parseInt(input.getAttribute("data-max-bytes"), 10);
  var big = Array.prototype.some.call(input.files || [], function (f) { return f.size > max; });
  input.setCustomValidity(big ? "文件太大：一个文件不能超过 " + Math.floor(max / 1048576) + " MB。" : "");
  if (big) input.reportValidity();
});

// The menu's sections are <details> (keyboard-operable without script; name= keeps one open).
// Here only the comforts: Esc closes the open one and returns to its heading, and a click or
// a Tab outside it closes it.
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") return;
  var open = document.querySelector(".menu-group[open]");
  if (!open) return;
  open.open = false;
  open.querySelector("summary").focus();
});
document.addEventListener("click", function (event) {
  document.querySelectorAll(".menu-group[open]").forEach(function (group) {
    if (!group.contains(event.target)) group.open = false;
  });
});
document.addEventListener("focusout", function (event) {
  var group = event.target.closest && event.target.closest(".menu-group[open]");
  if (group && event.relatedTarget && !group.contains(event.relatedTarget)) group.open = false;
});
