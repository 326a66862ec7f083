/* The public tip-off page's map: the streets' outlines (no tiles needed), a pin
 * placed by a tap or by the phone's position; the form sends the pin in the
 * map's datum (data-datum), which the server converts to WGS-84 once. Without a
 * pin the typed address places the report. */
(function () {
  "use strict";
  var gwp = window.gwpage;
  var el = document.getElementById("map"), form = document.getElementById("tipoff-form");
  if (!el || !form) return;
  var lng = form.querySelector("[name=lng]"), lat = form.querySelector("[name=lat]");
  var datum = form.querySelector("[name=datum]");
  var map = gwp.map(el);
  var shapes = L.geoJSON(JSON.parse(el.dataset.outlines), {
    style: function () { return { color: "#0b5cad", weight: 2, fillOpacity: 0.04 }; },
    onEachFeature: function (f, layer) {
      // a street's name as a tooltip: textContent of a built element, never HTML
      layer.bindTooltip(gwp.el("span", f.properties.name), { sticky: true });
    },
  }).addTo(map);
  if (shapes.getBounds().isValid()) map.fitBounds(shapes.getBounds(), { padding: [6, 6] });
  else map.setView([35, 105], 4);
  var pin = null;

  function place(ll) {
    if (!pin) {
      pin = L.marker(ll, { draggable: true, autoPan: true, keyboard: true }).addTo(map);
      pin.on("dragend", function () { place(pin.getLatLng()); });
    }
    pin.setLatLng(ll);
    lng.value = ll.lng.toFixed(7);
    lat.value = ll.lat.toFixed(7);
    datum.value = el.dataset.datum;
    gwp.say("pin-text", gwp.fmt("pin", { lng: lng.value, lat: lat.value }), "ok");
  }
  if (lng.value && lat.value) place(L.latLng(+lat.value, +lng.value));
  map.on("click", function (e) { place(e.latlng); });
  shapes.on("click", function (e) { place(e.latlng); });

  document.getElementById("clear-pin").addEventListener("click", function () {
    if (pin) { map.removeLayer(pin); pin = null; }
    lng.value = lat.value = datum.value = "";
    gwp.say("pin-text", gwp.text("noPin"));
  });
  document.getElementById("use-my-position").addEventListener("click", function () {
    if (!window.isSecureContext) return gwp.say("geo-status", gwp.text("geoInsecure"), "warn");
    if (!navigator.geolocation) return gwp.say("geo-status", gwp.text("geoUnsupported"), "warn");
    gwp.say("geo-status", gwp.text("geoWaiting"));
    navigator.geolocation.getCurrentPosition(function (pos) {
      var p = gwp.toMap(el, pos.coords.longitude, pos.coords.latitude);
      var ll = L.latLng(p[1], p[0]);
      place(ll);
      map.setView(ll, Math.max(map.getZoom(), 17));
      gwp.say("geo-status", gwp.fmt("geoHere", { m: Math.round(pos.coords.accuracy) }), "ok");
    }, function (err) {
      var key = { 1: "geoDenied", 2: "geoUnavailable", 3: "geoTimeout" }[err.code];
      gwp.say("geo-status", gwp.text(key || "geoUnavailable"), "warn");
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
  });
  gwp.settle(map);
})();
