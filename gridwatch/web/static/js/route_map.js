/* A warden-day's route on a Leaflet map: the base, numbered stops, the line.
 * Each element with data-route-map="ID" gets a map of the GeoJSON in the
 * <script type="application/json" id="ID"> block (served by the app or embedded
 * in a saved day sheet). Names are shown with textContent, never as HTML.
 * No tiles: the route is drawn on a blank background (nothing leaves the site). */
(function () {
  "use strict";
  var COLOUR = { done: "done", done_other_day: "done", pending: "pending", missed: "missed" };

  function pin(text, cls) {
    var span = document.createElement("span");
    span.className = "route-pin " + cls;
    span.textContent = text;
    return span;
  }

  function draw(node, data) {
    var map = L.map(node, {
      attributionControl: false,
      zoomControl: node.getAttribute("data-print") !== "1",
      scrollWheelZoom: false
    });
    var bounds = [];
    (data.features || []).forEach(function (f) {
      var p = f.properties || {};
      var g = f.geometry;
      if (p.kind === "route") {
        L.polyline(g.coordinates.map(function (c) { return [c[1], c[0]]; }),
          { color: "#0b5cad", weight: 3, opacity: 0.75 }).addTo(map);
        return;
      }
      var ll = [g.coordinates[1], g.coordinates[0]];
      bounds.push(ll);
      var isBase = p.kind === "base";
      var icon = L.divIcon({
        html: pin(isBase ? "\u2302" : String(p.seq),
          isBase ? "base" : "s-" + (COLOUR[p.status] || "pending")),
        className: "route-icon", iconSize: [26, 26], iconAnchor: [13, 13]
      });
      var marker = L.marker(ll, { icon: icon, keyboard: false });
      if (!isBase) {
        var label = document.createElement("div");
        label.textContent = p.seq + ". " + p.name;
        marker.bindPopup(label);
      }
      marker.addTo(map);
    });
    if (bounds.length) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
    } else {
      map.setView([23.02, 113.1], 12);
    }
  }

  var nodes = document.querySelectorAll("[data-route-map]");
  Array.prototype.forEach.call(nodes, function (node) {
    var source = document.getElementById(node.getAttribute("data-route-map"));
    if (!source || typeof L === "undefined") { return; }
    draw(node, JSON.parse(source.textContent));
  });
})();
