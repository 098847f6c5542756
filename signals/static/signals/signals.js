// "Selecteren signalen": live count of selected signals and a header checkbox that toggles
// every signal on the page. Without JavaScript the page works as well: the header checkbox is
// then submitted as "alle" and the server applies the action to every signal on the page.
(function () {
  "use strict";
  var form = document.querySelector(".signals-select");
  if (!form) { return; }
  var all = form.querySelector(".js-select-all");
  var boxes = Array.prototype.slice.call(form.querySelectorAll(".js-signal-select"));
  var counters = form.querySelectorAll(".js-selected-count");
  var lines = form.querySelectorAll(".js-selected-line");

  function setText(selector, text) {
    form.querySelectorAll(selector).forEach(function (el) { el.textContent = text; });
  }

  // After "Selecteer alle N gevonden signalen" every found signal counts, minus those unticked here.
  var acrossPages = form.querySelector("input[name=alle_gevonden]");
  var found = parseInt(form.getAttribute("data-found-count") || "0", 10);

  function update() {
    var checked = boxes.filter(function (b) { return b.checked; }).length;
    var selected = acrossPages ? found - (boxes.length - checked) : checked;
    counters.forEach(function (c) { c.textContent = String(selected); });
    setText(".js-selected-verb", selected === 1 ? "is" : "zijn");
    setText(".js-selected-noun", selected === 1 ? "signaal" : "signalen");
    if (all) {
      all.checked = checked > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
  }

  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      update();
    });
  }
  boxes.forEach(function (b) { b.addEventListener("change", update); });
  lines.forEach(function (line) { line.hidden = false; });
  update();
})();
