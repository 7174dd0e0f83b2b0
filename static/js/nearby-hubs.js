// The dropoff table of a hub that does not take everything: marks, among the hubs with
// room listed to send donors on to, those that take every kind of thing this donor brings
// and this hub does not accept. The list itself works without this file.
(function () {
  "use strict";

  function declinedCategories() {
    var found = {};
    document.querySelectorAll("#lines .line").forEach(function (line) {
      var outcome = line.querySelector("select[name=outcome]");
      if (line.dataset.category && outcome && outcome.value !== "accepted") {
        found[line.dataset.category] = true;
      }
    });
    return Object.keys(found);
  }

  function mark() {
    var wanted = declinedCategories();
    document.querySelectorAll("#nearby-hubs .nearby-hub").forEach(function (hub) {
      var takes = (hub.dataset.takes || "").split(" ");
      var all = wanted.length > 0 && wanted.every(function (c) {
        return takes.indexOf(c) !== -1;
      });
      var badge = hub.querySelector(".nearby-match");
      if (badge) {
        badge.hidden = !all;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", mark);
  document.addEventListener("htmx:afterSettle", mark);
  document.addEventListener("change", mark);
  // After intake.js removes a line on the same click.
  document.addEventListener("click", function () {
    window.setTimeout(mark, 0);
  });
})();
