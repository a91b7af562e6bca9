// Ask before destructive buttons (data-confirm); no inline script, CSP-friendly.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// Live countdowns (data-countdown="ISO time"): "Time left 7:42" (1:07:42, 2天 1:07:42),
// then "Overdue by 0:15" (or, with data-late-minutes, "已超时 3 分钟"); the words come from
// data-left / data-late / data-day / data-late-minutes.
function guanweiCountdowns() {
  var now = Date.now();
  document.querySelectorAll("[data-countdown]").forEach(function (el) {
    var due = Date.parse(el.getAttribute("data-countdown"));
    if (isNaN(due)) return;
    var ms = due - now;
    var late = ms < 0;
    var s = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(s / 86400);
    var hours = Math.floor((s % 86400) / 3600);
    var minutes = Math.floor((s % 3600) / 60);
    var text = String(s % 60).padStart(2, "0");
    if (days || hours) {
      text = hours + ":" + String(minutes).padStart(2, "0") + ":" + text;
    } else {
      text = minutes + ":" + text;
    }
    if (days) text = days + (el.getAttribute("data-day") || "d") + " " + text;
    if (late && el.getAttribute("data-late-minutes")) {
      // a breached correction still owed (W-11): "已超时 3 分钟"
      text = Math.floor(s / 60) + " " + el.getAttribute("data-late-minutes");
    }
    el.textContent = (late ? el.getAttribute("data-late") : el.getAttribute("data-left")) + " " + text;
    el.classList.toggle("late", late);
  });
}
document.addEventListener("DOMContentLoaded", function () {
  guanweiCountdowns();
  window.setInterval(guanweiCountdowns, 1000);
});
