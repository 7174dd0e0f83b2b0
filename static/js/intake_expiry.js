// The dropoff table: a line whose expiry date is in the past asks what happens to it
// (discard, or accept anyway for items safe after their date) before it is logged. The
// server asks too, with or without this file; this only shows the choice as the date is
// typed, and clears it when the date is changed back.
(function () {
  "use strict";

  function today() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.name !== "expiry_date") {
      return;
    }
    var line = input.closest(".line");
    var choice = line && line.querySelector("[data-expired-choice]");
    if (!choice) {
      return;
    }
    var past = input.value !== "" && input.value < today();
    choice.hidden = !past;
    if (!past) {
      choice.querySelector("select").value = "";
    }
  });
})();
