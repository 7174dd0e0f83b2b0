// A language button on a page with a form in progress (the dropoff table): the new language
// is set first, then the form itself is posted back to its page, which draws the same lines,
// quantities and donor details again in the new language. Without lines, or without
// JavaScript, the buttons' form posts and comes back to the page as usual.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var chooser = event.target;
    if (!chooser.matches("form.lang")) return;
    var kept = document.querySelector("form[data-keep-on-language]");
    if (!kept || !kept.querySelector("input[name=item]")) return;
    event.preventDefault();
    var data = new FormData(chooser);
    if (event.submitter && event.submitter.name) {
      data.append(event.submitter.name, event.submitter.value);
    }
    data.delete("next");
    fetch(chooser.action, { method: "POST", body: data, credentials: "same-origin", redirect: "manual" })
      .then(function () {
        var again = document.createElement("input");
        again.type = "hidden";
        again.name = "keep_lines";
        again.value = "1";
        kept.appendChild(again);
        // The form's own submit, not htmx's: the whole page comes back in the new language.
        HTMLFormElement.prototype.submit.call(kept);
      })
      .catch(function () {
        chooser.submit();
      });
  });
})();
