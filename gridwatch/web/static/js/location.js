/* Correct an enterprise's location: drag the pin, tap the map or use the phone's
 * position; the form posts the pin in the map's datum (data-datum), which the
 * server converts to WGS-84 once and stores as "manual" (audited). */
(function () {
  "use strict";
  var gwp = window.gwpage;
  var el = document.getElementById("map"), form = document.getElementById("location-form");
  if (!el || !form) return;
  var map = gwp.map(el);
  var outlines = JSON.parse(el.dataset.outlines);
  var point = JSON.parse(el.dataset.point), centre = JSON.parse(el.dataset.centre);
  var lng = form.querySelector("[name=lng]"), lat = form.querySelector("[name=lat]");
  var save = document.getElementById("save-pin");
  var shapes = L.geoJSON(outlines, {
    interactive: false,
    style: function (f) {
      var grid = f.properties.kind === "grid";
      return { color: grid ? "#0b5cad" : "#777", weight: grid ? 2 : 1,
               dashArray: grid ? null : "4 4", fillOpacity: grid ? 0.06 : 0 };
    },
  }).addTo(map);
  var start = point || centre;
  if (shapes.getBounds().isValid()) map.fitBounds(shapes.getBounds(), { padding: [10, 10] });
  if (start) map.setView([start[1], start[0]], Math.max(map.getZoom() || 0, 17));
  else { map.setView([35, 105], 4); gwp.say("pin-text", gwp.text("noPoint"), "warn"); }
  var pin = null;

  function place(ll, moved) {
    if (!pin) {
      pin = L.marker(ll, { draggable: true, autoPan: true, keyboard: true }).addTo(map);
      pin.on("dragend", function () { place(pin.getLatLng(), true); });
    }
    pin.setLatLng(ll);
    lng.value = ll.lng.toFixed(7);
    lat.value = ll.lat.toFixed(7);
    if (moved) {
      save.disabled = false;
      gwp.say("pin-text", gwp.fmt("pin", { lng: lng.value, lat: lat.value,
                                           datum: el.dataset.datum.toUpperCase() }));
    }
  }
  if (start) place(L.latLng(start[1], start[0]), false);
  map.on("click", function (e) { place(e.latlng, true); });

  var here = document.getElementById("use-my-position");
  here.addEventListener("click", function () {
    if (!window.isSecureContext) return gwp.say("geo-status", gwp.text("geoInsecure"), "warn");
    if (!navigator.geolocation) return gwp.say("geo-status", gwp.text("geoUnsupported"), "warn");
    gwp.say("geo-status", gwp.text("geoWaiting"));
    navigator.geolocation.getCurrentPosition(function (pos) {
      var p = gwp.toMap(el, pos.coords.longitude, pos.coords.latitude);
      var ll = L.latLng(p[1], p[0]);
      place(ll, true);
      map.setView(ll, Math.max(map.getZoom(), 17));
      gwp.say("geo-status", gwp.fmt("geoHere", { m: Math.round(pos.coords.accuracy) }), "ok");
    }, function (err) {
      var key = { 1: "geoDenied", 2: "geoUnavailable", 3: "geoTimeout" }[err.code];
      gwp.say("geo-status", gwp.text(key || "geoUnavailable"), "warn");
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
  });
  gwp.settle(map);
})();
