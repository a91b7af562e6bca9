// Ask before destructive buttons (data-confirm); no inline script, CSP-friendly.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// Live countdowns (data-countdown="ISO time"): "Time left 7:42", then "Overdue by 0:15".
function guanweiCountdowns() {
  var now = Date.now();
  document.querySelectorAll("[data-countdown]").forEach(function (el) {
    var due = Date.parse(el.getAttribute("data-countdown"));
    if (isNaN(due)) return;
    var ms = due - now;
    var late = ms < 0;
    var s = Math.floor(Math.abs(ms) / 1000);
    var text = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    el.textContent = (late ? el.getAttribute("data-late") : el.getAttribute("data-left")) + " " + text;
    el.classList.toggle("late", late);
  });
}
document.addEventListener("DOMContentLoaded", function () {
  guanweiCountdowns();
  window.setInterval(guanweiCountdowns, 1000);
});
