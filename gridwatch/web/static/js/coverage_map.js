/* Coverage choropleth: a street's grids (street office) or the district's towns
 * (bureau), filled by the on-time share with the offline maps' classes
 * (data-breaks / data-colors), from the coverage API (data-src, GeoJSON WGS-84).
 *
 * On the street map, a click on a grid lists its overdue enterprises
 * (data-grid-url), and zoomed in far enough the enterprises of the view are
 * fetched by bounding box from the enterprises API (data-points), coloured by risk.
 * Tooltips and popups are built with textContent (names are user text).
 */
(function () {
  "use strict";
  var gwp = window.gwpage;
  var el = document.getElementById("map");
  if (!el) return;
  var d = el.dataset, map = gwp.map(el);
  var colors = JSON.parse(d.colors), breaks = JSON.parse(d.breaks);
  var POINTS_FROM_ZOOM = 15, POINTS_LIMIT = 1000;

  document.querySelectorAll("[data-swatch]").forEach(function (s) {
    s.style.background = colors[+s.getAttribute("data-swatch")];
  });

  function fill(share) {
    if (share === null || share === undefined) return null;
    var k = 0;
    while (k < breaks.length && share >= breaks[k]) k++;
    return colors[k];
  }

  // WGS-84 GeoJSON → the map's datum (GCJ-02 over Amap tiles).
  function shift(coords) {
    if (typeof coords[0] === "number") return gwp.toMap(el, coords[0], coords[1]);
    return coords.map(shift);
  }

  function table(title, rows) {
    var box = gwp.el("div", null, "gw-info");
    box.appendChild(gwp.el("div", title, "gw-title"));
    var t = gwp.el("table");
    rows.forEach(function (r) {
      var tr = gwp.el("tr");
      tr.appendChild(gwp.el("th", r[0]));
      tr.appendChild(gwp.el("td", r[1] === null || r[1] === undefined ? "—" : r[1]));
      t.appendChild(tr);
    });
    box.appendChild(t);
    return box;
  }

  function tooltip(p) {
    var rows = [];
    if (p.warden !== undefined) rows.push([gwp.text("warden"), p.warden || gwp.text("noWarden")]);
    rows.push([gwp.text("n"), p.n],
              [gwp.text("onTime"), p.on_time + "（" + gwp.percent(p.share_on_time) + "）"],
              [gwp.text("overdue"), p.overdue], [gwp.text("dueSoon"), p.due_soon],
              [gwp.text("openHazards"), p.open_hazards]);
    var title = p.name ? p.name + " " + p.code : p.code;
    if (p.is_illustrative) title += "（" + gwp.text("illustrative") + "）";
    return table(title, rows);
  }

  function drawAreas(fc) {
    fc.features.forEach(function (f) {
      if (f.geometry) f.geometry.coordinates = shift(f.geometry.coordinates);
    });
    var layer = L.geoJSON(fc, {
      style: function (f) {
        var c = fill(f.properties.share_on_time);
        return { color: "#455a64", weight: 1, fillColor: c || "#ffffff",
                 fillOpacity: c ? 0.65 : 0.05 };
      },
      onEachFeature: function (f, l) {
        if (d.labels === "1") {
          // few large areas (towns): their names on the map, figures on tap
          gwp.label(l, f.properties.name);
          l.bindPopup(function () { return tooltip(f.properties); });
          return;
        }
        l.bindTooltip(function () { return tooltip(f.properties); }, { sticky: true });
        if (d.gridUrl) {
          l.on("click", function () {
            window.location.href = d.gridUrl.replace("GRID", encodeURIComponent(f.properties.code));
          });
        }
      },
    }).addTo(map);
    if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [6, 6] });
    else map.setView([35, 105], 4);
    return layer;
  }

  // enterprises of the view, by bounding box, when zoomed in
  function pointsLayer() {
    var riskColors = JSON.parse(d.riskColors), risks = JSON.parse(gwp.text("risks"));
    var riskKeys = ["red", "orange", "yellow", "blue"], layer = L.layerGroup().addTo(map);
    var seq = 0;
    function popup(f) {
      var p = f.properties, box = table(p.name, [
        [gwp.text("uscc"), p.uscc], [gwp.text("risk"), p.risk_label],
      ]);
      var a = gwp.el("a", gwp.text("openFile"), "button small");
      a.href = d.fileUrl.replace("2147483647", String(f.id));
      box.appendChild(a);
      return box;
    }
    function refresh() {
      layer.clearLayers();
      if (map.getZoom() < POINTS_FROM_ZOOM) return gwp.say("map-status", gwp.text("zoomIn"));
      var b = map.getBounds(), pad = d.datum === "gcj02" ? 0.01 : 0;  // GCJ-02 is ~500 m off
      var bbox = [b.getWest() - pad, b.getSouth() - pad, b.getEast() + pad, b.getNorth() + pad]
        .map(function (v) { return v.toFixed(6); }).join(",");
      var mine = ++seq;
      gwp.getJSON(d.points + "?limit=" + POINTS_LIMIT + "&bbox=" + bbox).then(function (fc) {
        if (mine !== seq) return;
        fc.features.forEach(function (f) {
          if (!f.geometry) return;
          var c = f.geometry.coordinates, p = gwp.toMap(el, c[0], c[1]);
          var k = riskKeys.indexOf(f.properties.risk_level);
          f.properties.risk_label = risks[k] || f.properties.risk_label;
          L.circleMarker([p[1], p[0]], {
            radius: 6, weight: 1, color: "#fff", fillOpacity: 0.9,
            fillColor: riskColors[k] || "#777",
          }).bindPopup(function () { return popup(f); }).addTo(layer);
        });
        var key = fc.numberMatched > fc.numberReturned ? "more" : "points";
        gwp.say("map-status", gwp.fmt(key, { n: fc.numberReturned }));
      }).catch(function (err) { gwp.say("map-status", err.message, "error"); });
    }
    map.on("moveend", refresh);
    refresh();
  }

  gwp.say("map-status", gwp.text("loading"));
  gwp.getJSON(d.src).then(function (fc) {
    drawAreas(fc);
    gwp.say("map-status", "");
    if (d.points) pointsLayer();
    gwp.settle(map);
    el.dataset.ready = "1";
  }).catch(function (err) { gwp.say("map-status", err.message, "error"); });
})();
