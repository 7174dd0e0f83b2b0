// The pick list's Print button: it only works with JavaScript, so it stays hidden without it
// (the browser's own print command does the same).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
