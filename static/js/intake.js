// The dropoff table: steppers, one line per item, the redirect choice, and telling the
// volunteer when a request failed. Without this file the form still works: tiles, search
// and remove buttons then post the form, and quantities are typed.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function quantityOf(line) {
    return line.querySelector("input[name=quantity]");
  }

  function bump(input, by) {
    var next = (parseInt(input.value, 10) || 0) + by;
    var max = parseInt(input.dataset.max, 10) || Infinity;
    input.value = Math.min(Math.max(next, 1), max);
  }

  function clearSearch() {
    var search = document.getElementById("item-search");
    var results = document.getElementById("search-results");
    if (search) {
      search.value = "";
    }
    if (results) {
      results.replaceChildren();
    }
  }

  // The location last chosen on this device, kept until the volunteer changes it; the
  // server reads it to preselect it (or to ask, when it is full).
  function rememberLocation(select) {
    if (select.value) {
      document.cookie =
        "intake_location=" + encodeURIComponent(select.value) +
        "; path=" + select.dataset.locationMemory + "; max-age=31536000; samesite=lax";
    }
  }

  // Tapping a quantity selects it, so that typing "12" replaces the 1 instead of making 112.
  // Selected again right after: a touch's mouseup would otherwise put the caret back. Not
  // once typing has begun, or a quick "112" would lose its first digits to the selection.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches(".line input[name=quantity]")) {
      var input = event.target;
      var typed = false;
      var onInput = function () {
        typed = true;
      };
      input.addEventListener("input", onInput);
      input.select();
      window.setTimeout(function () {
        input.removeEventListener("input", onInput);
        if (document.activeElement === input && !typed) {
          input.select();
        }
      }, 0);
    }
  });

  function failureNotice(visible) {
    var notice = document.getElementById("request-failed");
    if (notice) {
      notice.hidden = !visible;
    }
  }

  document.addEventListener("click", function (event) {
    var step = event.target.closest("[data-step]");
    if (step) {
      bump(quantityOf(step.closest(".line")), parseInt(step.dataset.step, 10));
      return;
    }
    var remove = event.target.closest("[data-remove-line]");
    if (remove) {
      event.preventDefault();
      remove.closest(".line").remove();
    }
  });

  // The search runs as you type; Enter must not submit the dropoff form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.id === "item-search") {
      event.preventDefault();
    }
  });

  // A second tap on an item already in the list adds one to it instead of a new line.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var tile = event.detail.elt.closest && event.detail.elt.closest("[data-add-item]");
    if (!tile) {
      return;
    }
    var line = document.querySelector('#lines .line[data-item="' + tile.dataset.addItem + '"]');
    if (line) {
      event.preventDefault();
      bump(quantityOf(line), 1);
    }
  });

  // htmx leaves the page as it was when a request fails: say so, since the volunteer must
  // know the dropoff was not saved. Retrying is safe: the form's key logs it only once.
  document.addEventListener("htmx:responseError", function () {
    failureNotice(true);
  });
  document.addEventListener("htmx:sendError", function () {
    failureNotice(true);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      failureNotice(false);
    }
  });

  // After an item is added the search starts afresh (the next word is not appended to
  // the last), and so does the next donor's, once a dropoff is logged.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target.id === "lines") {
      clearSearch();
      var unlisted = document.getElementById("unlisted");
      if (unlisted && unlisted.contains(event.detail.elt)) {
        document.getElementById("unlisted-name").value = "";
        document.getElementById("unlisted-error").textContent = "";
        unlisted.open = false;
      }
    }
    if (target.id === "intake" && target.querySelector(".confirmation")) {
      clearSearch();
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-location-memory]")) {
      rememberLocation(event.target);
    }
    if (event.target.matches(".line select[name=outcome]")) {
      var redirect = event.target.closest(".line").querySelector("select[name=redirected_to]");
      redirect.hidden = event.target.value !== "redirected";
    }
  });
})();
