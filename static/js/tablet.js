// The tablet's PIN page: the keypad is up at once, and the fourth digit sends the PIN,
// so that switching in is a tap on a name and four digits.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector(".pin-form .pin-input");
    if (!input) return;
    input.focus();
    input.addEventListener("input", function () {
      if (/^[0-9]{4}$/.test(input.value) && input.form.requestSubmit) {
        input.readOnly = true; // one send per PIN, whatever is typed meanwhile
        input.form.requestSubmit();
      }
    });
  });
})();
