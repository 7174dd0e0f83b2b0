// The dropoff table without the network. A dropoff logged offline (or whose request got
// no answer) waits in this device's IndexedDB with its idempotency key, and is sent in
// order when the network is back, each once: the server logs a key only once, so a
// resend after a lost answer gets the first result. The dropoff in progress is kept in
// localStorage, so a reload loses nothing. Lines, search and the catalog come from the
// hub's catalog kept on the device (intake/offline.json, cached by the service worker).
(function () {
  "use strict";

  var panel = document.getElementById("offline-queue");
  if (!panel) {
    return;
  }
  var t = panel.dataset;
  var hub = t.hub;
  var DRAFT = "dh-draft-" + hub;
  var ANSWERS = "dh-answers-" + hub;
  var USED = "dh-used-keys";
  var catalog = null;
  var byId = {};
  var flushing = false;
  var stopped = "";
  var note = "";

  // IndexedDB: one store of queued dropoffs, in the order they were logged.
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("donation-hub", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("dropoffs", {keyPath: "seq", autoIncrement: true});
      };
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  }

  function store(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("dropoffs", mode);
        var result = work(tx.objectStore("dropoffs"));
        tx.oncomplete = function () {
          db.close();
          resolve(result && "result" in result ? result.result : undefined);
        };
        tx.onerror = function () {
          db.close();
          reject(tx.error);
        };
      });
    });
  }

  function queued() {
    return store("readonly", function (s) {
      return s.getAll();
    }).then(function (all) {
      return all.filter(function (entry) {
        return entry.hub === hub;
      });
    });
  }

  function readJson(name, fallback) {
    try {
      return JSON.parse(localStorage.getItem(name)) || fallback;
    } catch (e) {
      return fallback;
    }
  }

  function writeJson(name, value) {
    try {
      localStorage.setItem(name, JSON.stringify(value));
    } catch (e) {
      // Storage full or refused: the queue itself is in IndexedDB.
    }
  }

  function freshKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function markUsed(key) {
    var used = readJson(USED, []);
    used.push(key);
    writeJson(USED, used.slice(-200));
  }

  function form() {
    return document.getElementById("intake-form");
  }

  function keyField() {
    var f = form();
    return f && f.querySelector("input[name=idempotency_key]");
  }

  function offline() {
    return !navigator.onLine;
  }

  // --- The dropoff in progress, kept across reloads -------------------------------------

  function syncAttributes(root) {
    root.querySelectorAll("input, select, textarea").forEach(function (field) {
      if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (option) {
          option.toggleAttribute("selected", option.selected);
        });
      } else if (field.type === "checkbox" || field.type === "radio") {
        field.toggleAttribute("checked", field.checked);
      } else {
        field.setAttribute("value", field.value);
      }
    });
  }

  function lineRows(f) {
    return Array.prototype.map.call(f.querySelectorAll("#lines .line"), function (line) {
      syncAttributes(line);
      return line.outerHTML;
    });
  }

  function saveDraft() {
    var f = form();
    if (!f) {
      return;
    }
    var lines = lineRows(f);
    var donor = {};
    ["donor_name", "donor_contact"].forEach(function (name) {
      donor[name] = f.elements[name] ? f.elements[name].value : "";
    });
    donor.donor_consent = Boolean(f.elements.donor_consent && f.elements.donor_consent.checked);
    if (!lines.length && !donor.donor_name && !donor.donor_contact) {
      localStorage.removeItem(DRAFT);
      return;
    }
    writeJson(DRAFT, {key: keyField().value, lines: lines, donor: donor});
  }

  var saveSoon = (function () {
    var timer = null;
    return function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(saveDraft, 0);
    };
  })();

  function restoreDraft() {
    var f = form();
    var draft = readJson(DRAFT, null);
    if (!f || !draft) {
      return false;
    }
    var lines = document.getElementById("lines");
    if (lines.children.length === 0) {
      lines.insertAdjacentHTML("beforeend", draft.lines.join(""));
      htmx.process(lines);
    }
    keyField().value = draft.key;
    ["donor_name", "donor_contact"].forEach(function (name) {
      if (f.elements[name] && draft.donor[name]) {
        f.elements[name].value = draft.donor[name];
      }
    });
    if (f.elements.donor_consent) {
      f.elements.donor_consent.checked = draft.donor.donor_consent;
    }
    return true;
  }

  // A page kept by the service worker carries the key of the day it was kept: a key
  // already sent or queued from this device is replaced, or the new dropoff would be
  // answered with the old one. Not a restored draft's: it may have reached the server.
  function ensureFreshKey() {
    var field = keyField();
    if (field && readJson(USED, []).indexOf(field.value) !== -1) {
      field.value = freshKey();
    }
  }

  // --- Lines, search and the catalog without the network --------------------------------

  // The copy kept on the device serves for CATALOG_MINUTES (or while offline, or in
  // another language than the page's): each page load does not ask the server again.
  var CATALOG_AT = "dh-catalog-at-" + hub;
  var CATALOG_MINUTES = 10;

  function useCatalog(data) {
    catalog = data;
    byId = {};
    data.items.forEach(function (item) {
      byId[item.id] = item;
    });
  }

  function loadCatalog() {
    var age = Date.now() - Number(localStorage.getItem(CATALOG_AT) || 0);
    var kept = window.caches
      ? caches.match(t.catalogUrl).then(function (hit) {
        return hit ? hit.json() : null;
      }).catch(function () {
        return null;
      })
      : Promise.resolve(null);
    return kept.then(function (data) {
      var current = data && data.language === document.documentElement.lang;
      if (data && (offline() || (current && age < CATALOG_MINUTES * 60000))) {
        useCatalog(data);
        return;
      }
      return fetch(t.catalogUrl, {credentials: "same-origin"}).then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      }).then(function (fresh) {
        useCatalog(fresh);
        localStorage.setItem(CATALOG_AT, String(Date.now()));
      }).catch(function () {
        if (data) {
          useCatalog(data);
        }
      });
    });
  }

  function bumpLine(line) {
    var input = line.querySelector("input[name=quantity]");
    var max = parseInt(input.dataset.max, 10) || Infinity;
    input.value = Math.min((parseInt(input.value, 10) || 0) + 1, max);
  }

  function fromTemplate(name) {
    var html = catalog && catalog.templates[name];
    if (!html) {
      return null;
    }
    var holder = document.createElement("div");
    holder.innerHTML = html;
    return holder.firstElementChild;
  }

  function appendLine(line) {
    document.getElementById("lines").appendChild(line);
    htmx.process(line);
    clearSearch();
    saveSoon();
  }

  // The line of a catalog item, from the row rendered for its kind (category, expiry).
  function addItem(item) {
    var lines = document.getElementById("lines");
    var same = lines && lines.querySelector('.line[data-item="' + item.id + '"]');
    if (same) {
      bumpLine(same);
      saveSoon();
      return true;
    }
    var line = fromTemplate(item.category + ":" + (item.expiry ? 1 : 0));
    if (!line || !lines) {
      return false;
    }
    line.dataset.item = item.id;
    line.querySelector("input[name=item]").value = item.id;
    line.querySelector(".line-item strong").textContent = item.name;
    line.querySelector(".unit").textContent = item.unit;
    appendLine(line);
    return true;
  }

  function addUnlisted(fields) {
    var name = fields.name.replace(/\s+/g, " ").trim();
    var line = fromTemplate(fields.category + ":new");
    if (!name || !line || !catalog.sizes[fields.size]) {
      return false;
    }
    line.querySelector("input[name=new_name]").value = name;
    line.querySelector("input[name=new_size]").value = fields.size;
    line.querySelector("input[name=new_barcode]").value = fields.code || "";
    line.querySelector(".line-item strong").textContent = name;
    line.querySelector(".unit").textContent = catalog.sizes[fields.size];
    appendLine(line);
    return true;
  }

  function unlistedFields() {
    var size = document.querySelector("#unlisted input[name=unlisted_size]:checked");
    return {
      name: document.getElementById("unlisted-name").value,
      category: document.getElementById("unlisted-category").value,
      size: size ? size.value : "",
      code: document.getElementById("unlisted-barcode").value
    };
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

  // inventory/search.py's folding and plural endings, for the catalog kept on the device.
  function fold(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  function singular(word) {
    if (word.length > 4 && /ies$/.test(word)) {
      return word.slice(0, -3) + "y";
    }
    if (word.length > 4 && /(l|n|r|d|j|s|x|z|ch|sh)es$/.test(word)) {
      return word.slice(0, -2);
    }
    if (word.length > 3 && /[^s]s$/.test(word)) {
      return word.slice(0, -1);
    }
    return word;
  }

  function searchLocally(query) {
    var results = document.getElementById("search-results");
    if (!results || !catalog) {
      return;
    }
    var terms = (fold(query).match(/[0-9a-z]+/g) || []).map(function (word) {
      return " " + singular(word);
    });
    var found = !terms.length ? [] : catalog.items.filter(function (item) {
      return terms.every(function (term) {
        return item.search.indexOf(term) !== -1;
      });
    }).slice(0, 12);
    var nodes = [paragraph(t.tSearch, "muted search-offline")];
    found.forEach(function (item) {
      var rule = catalog.accepts[item.category] || {};
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tile tile-item" +
        (rule.accepts === false ? " tile-closed" : rule.status === "limited" ? " tile-limited" : "");
      button.dataset.offlineItem = item.id;
      var name = document.createElement("span");
      name.textContent = item.name;
      var unit = document.createElement("small");
      unit.textContent = item.unit;
      button.append(name, unit);
      nodes.push(button);
    });
    if (terms.length && !found.length) {
      nodes.push(paragraph(t.tNoMatch, "muted"));
    }
    results.replaceChildren.apply(results, nodes);
  }

  function paragraph(text, className) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }

  // What a request that cannot reach the server does instead; true when done here.
  function doLocally(elt) {
    if (!catalog) {
      return false;
    }
    if (elt.matches("[data-add-item]")) {
      var item = byId[elt.dataset.addItem];
      return Boolean(item) && addItem(item);
    }
    if (elt.matches(".add-unlisted")) {
      var done = addUnlisted(unlistedFields());
      if (done) {
        resetUnlisted();
      }
      return done;
    }
    if (elt.id === "item-search") {
      searchLocally(elt.value);
      return true;
    }
    return elt.id === "recent";
  }

  function resetUnlisted() {
    var unlisted = document.getElementById("unlisted");
    document.getElementById("unlisted-name").value = "";
    document.getElementById("unlisted-barcode").value = "";
    document.getElementById("unlisted-code").hidden = true;
    unlisted.open = false;
  }

  // --- The queue --------------------------------------------------------------------------

  function lineSummary(f) {
    return Array.prototype.map.call(f.querySelectorAll("#lines .line"), function (line) {
      var quantity = line.querySelector("input[name=quantity]").value;
      var name = line.querySelector(".line-item strong").textContent.trim();
      return quantity + " " + name;
    }).join(", ");
  }

  function enqueue(f, parameters) {
    if (!f.querySelector("#lines .line")) {
      status(t.tEmpty);
      return Promise.resolve();
    }
    var pairs = [];
    parameters.forEach(function (value, name) {
      pairs.push([name, String(value)]);
    });
    var key = keyField().value;
    var entry = {
      hub: hub,
      key: key,
      url: f.getAttribute("action"),
      pairs: pairs,
      summary: lineSummary(f),
      lines: lineRows(f),
      queuedAt: new Date().toISOString()
    };
    markUsed(key);
    return store("readwrite", function (s) {
      return s.add(entry);
    }).then(function () {
      resetForm(f);
      status(t.tQueued);
      return render();
    }).then(flush);
  }

  function resetForm(f) {
    document.getElementById("lines").replaceChildren();
    ["donor_name", "donor_contact"].forEach(function (name) {
      if (f.elements[name]) {
        f.elements[name].value = "";
      }
    });
    if (f.elements.donor_consent) {
      f.elements.donor_consent.checked = false;
    }
    keyField().value = freshKey();
    localStorage.removeItem(DRAFT);
    clearSearch();
  }

  function token() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // One queued dropoff to the server: {final: false} when it must wait and go again.
  function send(entry) {
    var body = new URLSearchParams();
    entry.pairs.forEach(function (pair) {
      body.append(pair[0], pair[0] === "csrfmiddlewaretoken" ? token() : pair[1]);
    });
    return fetch(entry.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {"HX-Request": "true", "X-CSRFToken": token()}
    }).then(function (response) {
      if (response.redirected && /\/accounts\/login\//.test(response.url)) {
        return {final: false, stop: t.tLogin};
      }
      if (response.status === 403) {
        return {final: false, stop: t.tLogin};
      }
      if (response.status >= 500 || response.status === 429) {
        return {final: false};
      }
      return response.text().then(function (html) {
        return answerOf(html);
      });
    }).catch(function () {
      return {final: false};
    });
  }

  // What the server said, from the part of the page it answers with: the confirmation
  // ("Logged dropoff #12"), or the messages that refused it.
  function answerOf(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var confirmation = page.querySelector(".confirmation h2");
    if (confirmation) {
      return {final: true, ok: true, text: confirmation.textContent.trim()};
    }
    var reasons = [];
    page.querySelectorAll(
      ".error, .banner-closed, .message-error:not(#request-failed), .message-warning"
    ).forEach(function (node) {
      var parts = node.children.length ? Array.prototype.slice.call(node.children) : [node];
      var text = parts.map(function (part) {
        return part.textContent.replace(/\s+/g, " ").trim();
      }).filter(Boolean).join(": ");
      if (text && reasons.indexOf(text) === -1) {
        reasons.push(text);
      }
    });
    return {final: true, ok: false, text: reasons.join(" ")};
  }

  function flush() {
    if (flushing || offline()) {
      return Promise.resolve();
    }
    flushing = true;
    stopped = "";
    var run = function () {
      return queued().then(function sendNext(entries) {
        if (!entries.length) {
          return;
        }
        var entry = entries[0];
        status(t.tSending);
        return send(entry).then(function (answer) {
          if (!answer.final) {
            stopped = answer.stop || "";
            return;
          }
          var answers = readJson(ANSWERS, []);
          answers.push({
            ok: answer.ok,
            text: answer.text,
            summary: entry.summary,
            lines: answer.ok ? [] : entry.lines || []
          });
          writeJson(ANSWERS, answers.slice(-30));
          return store("readwrite", function (s) {
            return s.delete(entry.seq);
          }).then(render).then(function () {
            return sendNext(entries.slice(1));
          });
        });
      });
    };
    // Two tabs of the table on one device send one at a time.
    var locked = navigator.locks ? navigator.locks.request("dh-intake-queue", run) : run();
    return locked.catch(function () {}).then(function () {
      flushing = false;
      status("");
      return render();
    });
  }

  // The panel's message: the last thing done here (until the next), why sending stopped,
  // and whether the device is offline. status() with no text only refreshes it.
  function status(text) {
    if (text !== undefined) {
      note = text;
    }
    var node = panel.querySelector("[data-offline-status]");
    var message = [note, stopped, offline() ? t.tOffline : ""].filter(Boolean).join(" ");
    node.textContent = message;
    node.hidden = !message;
    panel.hidden = !message && panel.dataset.empty === "true";
  }

  function render() {
    return queued().then(function (entries) {
      var list = panel.querySelector("[data-queue-list]");
      var count = panel.querySelector("[data-queue-count]");
      count.textContent = entries.length ? t.tWaiting + " " + entries.length : "";
      count.hidden = !entries.length;
      list.replaceChildren.apply(list, entries.map(function (entry) {
        var item = document.createElement("li");
        item.append(document.createTextNode(entry.summary + " "));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.dataset.queueRemove = entry.seq;
        remove.title = t.tUndo;
        remove.textContent = t.tRemove;
        item.append(remove);
        return item;
      }));
      var answers = readJson(ANSWERS, []);
      var shown = panel.querySelector("[data-queue-answers]");
      shown.replaceChildren.apply(shown, answers.map(function (answer, n) {
        var item = document.createElement("li");
        item.className = answer.ok ? "answer-logged" : "answer-refused";
        var text = answer.ok ? answer.text : t.tRefused + " " + answer.text;
        item.append(document.createTextNode(text + " (" + answer.summary + ") "));
        if (!answer.ok && answer.lines && answer.lines.length) {
          var reopen = document.createElement("button");
          reopen.type = "button";
          reopen.dataset.answerReopen = n;
          reopen.textContent = t.tReopen;
          item.append(reopen);
        }
        var dismiss = document.createElement("button");
        dismiss.type = "button";
        dismiss.dataset.answerDismiss = n;
        dismiss.textContent = t.tDismiss;
        item.append(dismiss);
        return item;
      }));
      panel.dataset.empty = String(!entries.length && !answers.length);
      status();
    }).catch(function () {});
  }

  // A refused dropoff back in the form, to correct and log again (nothing of it was
  // logged, so it takes a fresh key).
  function reopenAnswer(n) {
    var f = form();
    var answers = readJson(ANSWERS, []);
    var answer = answers[n];
    if (!f || !answer) {
      return;
    }
    var lines = document.getElementById("lines");
    if (lines.children.length) {
      status(t.tBusy);
      return;
    }
    lines.insertAdjacentHTML("beforeend", answer.lines.join(""));
    htmx.process(lines);
    keyField().value = freshKey();
    answers.splice(n, 1);
    writeJson(ANSWERS, answers);
    saveSoon();
    render();
  }

  // --- Wiring -------------------------------------------------------------------------------

  function isForm(elt) {
    return elt && elt.id === "intake-form";
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (event.defaultPrevented) {
      return;
    }
    if (isForm(elt)) {
      markUsed(keyField().value);
      // While older dropoffs wait, a new one waits behind them: they go in order.
      var waiting = panel.querySelector("[data-queue-list]").children.length > 0;
      if (offline() || waiting) {
        event.preventDefault();
        enqueue(elt, event.detail.requestConfig.formData || new FormData(elt));
      }
      return;
    }
    if (offline() && doLocally(elt)) {
      event.preventDefault();
    }
  });

  // No answer at all (flaky Wi-Fi): the dropoff may or may not have reached the server;
  // queued with its key, it is logged once either way.
  document.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail.elt;
    var handled = isForm(elt)
      ? (enqueue(elt, event.detail.requestConfig.formData || new FormData(elt)), true)
      : doLocally(elt);
    if (handled) {
      document.getElementById("request-failed").hidden = true;
    }
  });

  // A scanned code goes with the one item added from the "not in the list" fields.
  document.addEventListener("htmx:afterSwap", function (event) {
    var unlisted = document.getElementById("unlisted");
    if (unlisted && unlisted.contains(event.detail.elt) && event.detail.target.id === "lines") {
      resetUnlisted();
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target && target.id === "intake" && target.querySelector(".confirmation")) {
      localStorage.removeItem(DRAFT);
      return;
    }
    saveSoon();
  });
  document.addEventListener("input", saveSoon);
  document.addEventListener("change", saveSoon);

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-remove-line], [data-step]")) {
      saveSoon();
    }
    var local = event.target.closest("[data-offline-item]");
    if (local && byId[local.dataset.offlineItem]) {
      addItem(byId[local.dataset.offlineItem]);
    }
    var remove = event.target.closest("[data-queue-remove]");
    if (remove) {
      store("readwrite", function (s) {
        return s.delete(Number(remove.dataset.queueRemove));
      }).then(render);
    }
    var reopen = event.target.closest("[data-answer-reopen]");
    if (reopen) {
      reopenAnswer(Number(reopen.dataset.answerReopen));
    }
    var dismiss = event.target.closest("[data-answer-dismiss]");
    if (dismiss) {
      var answers = readJson(ANSWERS, []);
      answers.splice(Number(dismiss.dataset.answerDismiss), 1);
      writeJson(ANSWERS, answers);
      render();
    }
  });

  window.addEventListener("online", function () {
    status("");
    flush();
  });
  window.addEventListener("offline", function () {
    status("");
  });
  window.setInterval(flush, 30000);

  // Once the worker controls the table, it keeps each fresh copy of the page and the
  // catalog itself; before (the first visit), it is asked to fetch them.
  function keepOnDevice() {
    if (!("serviceWorker" in navigator) || offline()) {
      return;
    }
    var controlled = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker.register(t.serviceWorker, {scope: "/"}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (!controlled) {
        registration.active.postMessage({keep: [window.location.pathname, t.catalogUrl]});
      }
    }).catch(function () {});
  }

  // For the barcode and label scanner (static/js/scan.js).
  window.dhTable = {
    itemByCode: function (gtin) {
      if (!catalog) {
        return null;
      }
      for (var i = 0; i < catalog.items.length; i++) {
        if (catalog.items[i].codes.indexOf(gtin) !== -1) {
          return catalog.items[i];
        }
      }
      return null;
    },
    addItem: addItem,
    saveSoon: saveSoon
  };

  if (!restoreDraft()) {
    ensureFreshKey();
  }
  loadCatalog();
  render().then(flush);
  keepOnDevice();
})();
