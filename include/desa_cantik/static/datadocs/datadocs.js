// Data Docs of the BPS gate: the "hanya yang gagal" filter, without jQuery or Bootstrap (served by the tier).
// GX marks each passed expectation's status cell and each section whose expectations all passed; this marks
// their rows and sections (and the sections' entries in the contents), and the buttons toggle one body class.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".hide-succeeded-validation-target-child").forEach(function (el) {
    if (el.parentElement) { el.parentElement.classList.add("dd-lolos"); }
  });
  document.querySelectorAll(".hide-succeeded-validations-column-section-target-child").forEach(function (el) {
    var section = el.closest(".ge-section");
    if (!section) { return; }
    section.classList.add("dd-lolos");
    document.querySelectorAll('.dd-samping a[href="#' + section.id + '"]').forEach(function (a) {
      a.parentElement.classList.add("dd-lolos");
    });
  });
  var buttons = document.querySelectorAll("[data-dd-saring]");
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      var failedOnly = button.getAttribute("data-dd-saring") === "gagal";
      document.body.classList.toggle("dd-hanya-gagal", failedOnly);
      buttons.forEach(function (b) {
        b.classList.toggle("active", b === button);
        b.setAttribute("aria-pressed", b === button ? "true" : "false");
      });
    });
  });
});
