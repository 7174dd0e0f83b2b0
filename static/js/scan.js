// Scanning: a product barcode (GTIN: EAN-13, UPC-A, EAN-8) or a storage location's QR
// label, from the camera (the browser's BarcodeDetector where it has one, else ZXing,
// vendored in static/vendor and loaded only then), from a photo, or from a USB or
// Bluetooth scanner, which types the code into the search box and presses Enter.
// At the table a barcode adds its item (again: one more) and a label picks the location;
// on the stock pages a label opens that location's count.
(function () {
  "use strict";

  var opener = document.querySelector("[data-scan-open]");
  if (!opener) {
    return;
  }
  var t = opener.dataset;
  var dialog = document.querySelector("[data-scan-dialog]");
  var video = dialog.querySelector("[data-scan-video]");
  var errorLine = dialog.querySelector("[data-scan-error]");
  var note = document.querySelector("[data-scan-note]");
  var LOCATION = /\/hubs\/([^/]+)\/stock\/locations\/(\d+)\/count\//;
  var stream = null;
  var detector = null;
  var zxingLoaded = null;

  function checkDigitOk(digits) {
    var total = 0;
    for (var n = 0; n < digits.length; n++) {
      var d = Number(digits[digits.length - 1 - n]);
      total += n % 2 ? d * 3 : d;
    }
    return total % 10 === 0;
  }

  // The 14-digit form the catalog keeps (inventory/barcodes.py), or null.
  function gtin(text) {
    return /^(\d{8}|\d{12,14})$/.test(text) && checkDigitOk(text) ? text.padStart(14, "0") : null;
  }

  function say(text) {
    note.textContent = text;
    note.hidden = !text;
  }

  function hubSlug() {
    var match = window.location.pathname.match(/^\/hubs\/([^/]+)\//);
    return match ? match[1] : "";
  }

  function onLocation(match, url) {
    if (match[1] !== hubSlug()) {
      say(t.tOtherHub);
      return;
    }
    if (t.scanMode !== "table") {
      window.location.assign(url);
      return;
    }
    var select = document.querySelector("select[name=location]");
    var option = select && select.querySelector('option[value="' + match[2] + '"]');
    if (option) {
      select.value = match[2];
      select.dispatchEvent(new Event("change", {bubbles: true}));
      say(t.tLocation + " " + option.textContent.trim());
    }
  }

  function lineWithCode(code) {
    return document.querySelector('#lines .line input[name=new_barcode][value="' + code + '"]');
  }

  function bump(line) {
    var quantity = line.querySelector("input[name=quantity]");
    var max = parseInt(quantity.dataset.max, 10) || Infinity;
    quantity.value = Math.min((parseInt(quantity.value, 10) || 0) + 1, max);
    window.dhTable.saveSoon();
    say("");
  }

  // Online, the line comes from the server as a tile's does (what the hub takes now);
  // offline, from the catalog kept on the device.
  function onProduct(code) {
    var table = window.dhTable;
    var lines = document.getElementById("lines");
    var item = table && table.itemByCode(code);
    var same = item ? lines.querySelector('.line[data-item="' + item.id + '"]') : null;
    var pending = lineWithCode(code);
    if (same || pending) {
      bump((same || pending).closest(".line"));
      return;
    }
    var local = function () {
      if (item && table.addItem(item)) {
        say("");
      } else {
        unknown(code);
      }
    };
    if (!navigator.onLine) {
      local();
      return;
    }
    fetch(opener.dataset.lineUrl + "?barcode=" + encodeURIComponent(code), {
      credentials: "same-origin",
      headers: {"HX-Request": "true"}
    }).then(function (response) {
      if (response.status === 404) {
        unknown(code);
        return;
      }
      if (!response.ok) {
        local();
        return;
      }
      return response.text().then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var line = holder.querySelector(".line");
        var again = lines.querySelector('.line[data-item="' + line.dataset.item + '"]');
        if (again) {
          bump(again);
          return;
        }
        lines.appendChild(line);
        htmx.process(line);
        table.saveSoon();
        say("");
      });
    }).catch(local);
  }

  // Not in the catalog: the "not in the list" item, with the code, to name and add.
  function unknown(code) {
    var unlisted = document.getElementById("unlisted");
    document.getElementById("unlisted-barcode").value = code;
    var message = document.getElementById("unlisted-code");
    message.textContent = t.tUnknown.replace("{code}", code.replace(/^0+(?=\d{13}$)/, ""));
    message.hidden = false;
    unlisted.open = true;
    document.getElementById("unlisted-name").focus();
    say("");
  }

  // A scanned or typed code: true when it was one (a barcode or a label of this site).
  function handle(text) {
    text = text.trim();
    var location = text.match(LOCATION);
    if (location) {
      onLocation(location, text);
      return true;
    }
    var code = gtin(text);
    if (code && t.scanMode === "table") {
      onProduct(code);
      return true;
    }
    return false;
  }

  function loadZxing() {
    if (!zxingLoaded) {
      zxingLoaded = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = t.zxing;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return zxingLoaded;
  }

  // ZXing behind BarcodeDetector's shape: detect(image or video) -> [{rawValue}].
  function zxingDetector() {
    return loadZxing().then(function () {
      var ZX = window.ZXing;
      var hints = new Map();
      hints.set(ZX.DecodeHintType.POSSIBLE_FORMATS, [
        ZX.BarcodeFormat.EAN_13, ZX.BarcodeFormat.EAN_8, ZX.BarcodeFormat.UPC_A,
        ZX.BarcodeFormat.ITF, ZX.BarcodeFormat.QR_CODE
      ]);
      hints.set(ZX.DecodeHintType.TRY_HARDER, true);
      var reader = new ZX.MultiFormatReader();
      reader.setHints(hints);
      var canvas = document.createElement("canvas");
      return {
        detect: function (source) {
          var width = source.videoWidth || source.naturalWidth || source.width;
          var height = source.videoHeight || source.naturalHeight || source.height;
          if (!width || !height) {
            return Promise.resolve([]);
          }
          canvas.width = width;
          canvas.height = height;
          canvas.getContext("2d").drawImage(source, 0, 0, width, height);
          try {
            var luminance = new ZX.HTMLCanvasElementLuminanceSource(canvas);
            var bitmap = new ZX.BinaryBitmap(new ZX.HybridBinarizer(luminance));
            return Promise.resolve([{rawValue: reader.decode(bitmap).getText()}]);
          } catch (e) {
            return Promise.resolve([]);
          }
        }
      };
    });
  }

  function makeDetector() {
    if (detector) {
      return Promise.resolve(detector);
    }
    var made;
    if ("BarcodeDetector" in window) {
      var wanted = ["ean_13", "ean_8", "upc_a", "itf", "qr_code"];
      made = Promise.resolve(
        BarcodeDetector.getSupportedFormats ? BarcodeDetector.getSupportedFormats() : wanted
      ).then(function (formats) {
        return new BarcodeDetector({formats: wanted.filter(function (f) {
          return formats.indexOf(f) !== -1;
        })});
      });
    } else {
      made = zxingDetector();
    }
    return made.then(function (d) {
      detector = d;
      return d;
    });
  }

  function found(codes) {
    for (var i = 0; i < codes.length; i++) {
      if (handle(codes[i].rawValue)) {
        close();
        return true;
      }
    }
    return false;
  }

  function watch() {
    if (!stream) {
      return;
    }
    detector.detect(video).catch(function () {
      return [];
    }).then(function (codes) {
      if (!found(codes)) {
        window.setTimeout(watch, 150);
      }
    });
  }

  function open() {
    errorLine.textContent = "";
    video.hidden = false;
    dialog.showModal();
    var camera = navigator.mediaDevices && navigator.mediaDevices.getUserMedia
      ? navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false})
      : Promise.reject(new Error("no camera"));
    Promise.all([camera, makeDetector()]).then(function (both) {
      stream = both[0];
      video.srcObject = stream;
      // Frames are read as they come: play() waits for the first one on some cameras.
      video.play().catch(function () {});
      watch();
    }).catch(function () {
      video.hidden = true;
      errorLine.textContent = t.tNoCamera;
    });
  }

  function close() {
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
      stream = null;
    }
    video.srcObject = null;
    if (dialog.open) {
      dialog.close();
    }
  }

  opener.addEventListener("click", open);
  dialog.querySelector("[data-scan-close]").addEventListener("click", close);
  dialog.addEventListener("close", close);

  dialog.querySelector("[data-scan-photo]").addEventListener("change", function (event) {
    var file = event.target.files[0];
    if (!file) {
      return;
    }
    var image = new Image();
    var url = URL.createObjectURL(file);
    image.onload = function () {
      makeDetector().then(function (d) {
        return d.detect(image);
      }).then(function (codes) {
        URL.revokeObjectURL(url);
        event.target.value = "";
        if (!found(codes)) {
          errorLine.textContent = t.tNotRead;
        }
      });
    };
    image.src = url;
  });

  // A handheld scanner types the digits and Enter into the search box (or the stock page's).
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key !== "Enter" || !box.matches("#item-search, [data-scan-input]")) {
      return;
    }
    if (handle(box.value)) {
      event.preventDefault();
      box.value = "";
      var results = document.getElementById("search-results");
      if (results) {
        results.replaceChildren();
      }
    }
  });
})();
