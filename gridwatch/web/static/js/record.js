/* The warden's recording forms: the check-in position, photos, hazard deadlines.
 *
 * - Inspection form: asks the phone for its position (W3C Geolocation API:
 *   WGS-84 degrees, accuracy in metres) and puts it in hidden fields; without a
 *   position the record is still saved and marked unverified, and the hidden
 *   field "geo" tells the server why (denied, insecure page, timeout ...).
 * - Photos: at most data-max-photos; a large photo is scaled down on the phone
 *   (longest edge data-max-edge px, JPEG) before upload, so six phone photos fit
 *   the request size limit. The server checks and re-encodes every photo anyway.
 * - Hazard form: the deadline follows the level's default until the user edits it.
 */
(function () {
  "use strict";
  var gwp = window.gwpage;
  var SHRINK_ABOVE = 1500000;  // bytes: phone JPEGs above this are scaled down

  function byName(form, name) { return form.querySelector("[name='" + name + "']"); }

  function checkin(form) {
    var geo = byName(form, "geo"), fields = ["lng", "lat", "accuracy", "position_at"];
    function clear(state, key) {
      fields.forEach(function (n) { byName(form, n).value = ""; });
      geo.value = state;
      gwp.say("geo-status", gwp.text(key), "warn");
    }
    function locate() {
      if (!window.isSecureContext) return clear("insecure", "geoInsecure");
      if (!navigator.geolocation) return clear("unsupported", "geoUnsupported");
      gwp.say("geo-status", gwp.text("geoWaiting"));
      navigator.geolocation.getCurrentPosition(function (pos) {
        byName(form, "lng").value = String(pos.coords.longitude);
        byName(form, "lat").value = String(pos.coords.latitude);
        byName(form, "accuracy").value = String(pos.coords.accuracy);
        byName(form, "position_at").value = String(Math.round(pos.timestamp));
        geo.value = "ok";
        gwp.say("geo-status", gwp.fmt("geoOk", { m: Math.round(pos.coords.accuracy) }), "ok");
      }, function (err) {
        var state = { 1: "denied", 2: "unavailable", 3: "timeout" }[err.code] || "unavailable";
        clear(state, { denied: "geoDenied", unavailable: "geoUnavailable",
                       timeout: "geoTimeout" }[state]);
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    }
    var again = document.getElementById("locate");
    if (again) again.addEventListener("click", locate);
    locate();
  }

  function shrink(file, maxEdge) {
    if (file.size <= SHRINK_ABOVE || !/^image\/(jpeg|png)$/.test(file.type)
        || !window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bmp) {
      var scale = Math.min(1, maxEdge / Math.max(bmp.width, bmp.height));
      var c = document.createElement("canvas");
      c.width = Math.round(bmp.width * scale);
      c.height = Math.round(bmp.height * scale);
      c.getContext("2d").drawImage(bmp, 0, 0, c.width, c.height);
      return new Promise(function (resolve) {
        c.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) return resolve(file);
          var name = file.name.replace(/\.\w+$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
        }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; });
  }

  function photos(form) {
    var input = form.querySelector("input[type=file]");
    if (!input) return;
    var max = +form.dataset.maxPhotos, edge = +form.dataset.maxEdge;
    var submit = form.querySelector("button[type=submit]");
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      if (files.length > max) {
        input.value = "";
        return gwp.say("photo-note", gwp.fmt("tooMany", { n: max }), "error");
      }
      if (!files.length || !window.DataTransfer) return;
      submit.disabled = true;
      gwp.say("photo-note", gwp.text("shrinking"));
      Promise.all(files.map(function (f) { return shrink(f, edge); })).then(function (out) {
        var dt = new DataTransfer();
        out.forEach(function (f) { dt.items.add(f); });
        input.files = dt.files;
      }).finally(function () {
        submit.disabled = false;
        gwp.say("photo-note", gwp.fmt("photosReady", { n: input.files.length }), "ok");
      });
    });
  }

  function deadlines(form) {
    var level = byName(form, "level"), deadline = byName(form, "deadline");
    if (!level || !deadline) return;
    var touched = !!deadline.value;
    deadline.addEventListener("input", function () { touched = true; });
    function follow() {
      if (!touched) deadline.value = form.dataset["deadline" + level.value.charAt(0)
        .toUpperCase() + level.value.slice(1)] || "";
    }
    level.addEventListener("change", follow);
    follow();
  }

  var record = document.getElementById("record-form");
  if (record) { checkin(record); photos(record); }
  var hazard = document.getElementById("hazard-form");
  if (hazard) { photos(hazard); deadlines(hazard); }
  // other forms with photos (a hazard's next step, the public tip-off)
  Array.prototype.forEach.call(document.querySelectorAll("form.photo-form"), photos);
})();
