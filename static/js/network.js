// Every page: say plainly when the device has lost the network, since what is shown may
// be out of date and nothing can be saved until it is back (the dropoff table queues).
(function () {
  "use strict";

  function show() {
    var notice = document.getElementById("offline-notice");
    if (notice) {
      // The dropoff table says itself what it does offline (static/js/offline.js).
      notice.hidden = navigator.onLine || Boolean(document.getElementById("offline-queue"));
    }
  }

  window.addEventListener("online", show);
  window.addEventListener("offline", show);
  document.addEventListener("DOMContentLoaded", show);
})();
