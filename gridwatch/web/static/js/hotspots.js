/* The hazard hotspot map (read-only): Gi* cells coloured by their class with the
 * offline maps' colours (data-colors), tooltips with the class, the emerging
 * pattern and the counts. Data: GET data-src (services/overview.bureau_hotspots). */
(function () {
  "use strict";
  var gwp = window.gwpage;
  var el = document.getElementById("map");
  if (!el) return;
  var d = el.dataset, map = gwp.map(el);
  var colors = JSON.parse(d.colors);
  var labels = JSON.parse(gwp.text("labels")), trends = JSON.parse(gwp.text("trends"));
  document.querySelectorAll("[data-label]").forEach(function (s) {
    var c = colors[s.getAttribute("data-label")];
    if (c) s.style.background = c; else s.classList.add("empty");
  });

  function shift(coords) {
    if (typeof coords[0] === "number") return gwp.toMap(el, coords[0], coords[1]);
    return coords.map(shift);
  }

  function tooltip(p) {
    var box = gwp.el("div", null, "gw-info");
    box.appendChild(gwp.el("div", p.cell_id, "gw-title"));
    var t = gwp.el("table");
    [[gwp.text("result"), labels[p.label] || p.label],
     [gwp.text("trend"), p.trend ? trends[p.trend] || p.trend : null],
     [gwp.text("z"), p.gi_z === null || p.gi_z === undefined ? null : p.gi_z.toFixed(2)],
     [gwp.text("hazards"), p.n_hazards], [gwp.text("major"), p.n_major],
     [gwp.text("enterprises"), p.n_enterprises]].forEach(function (r) {
      var tr = gwp.el("tr");
      tr.appendChild(gwp.el("th", r[0]));
      tr.appendChild(gwp.el("td", r[1] === null || r[1] === undefined ? "—" : r[1]));
      t.appendChild(tr);
    });
    box.appendChild(t);
    return box;
  }

  gwp.say("map-status", gwp.text("loading"));
  gwp.getJSON(d.src).then(function (data) {
    var fc = data.cells;
    fc.features.forEach(function (f) {
      if (f.geometry) f.geometry.coordinates = shift(f.geometry.coordinates);
    });
    var layer = L.geoJSON(fc, {
      style: function (f) {
        var c = colors[f.properties.label];
        return { color: "#8c8c8c", weight: 0.5, fillColor: c || "#ffffff",
                 fillOpacity: c ? 0.7 : 0.05 };
      },
      onEachFeature: function (f, l) {
        l.bindTooltip(function () { return tooltip(f.properties); }, { sticky: true });
      },
    }).addTo(map);
    data.towns.features.forEach(function (f) {
      if (f.geometry) f.geometry.coordinates = shift(f.geometry.coordinates);
    });
    L.geoJSON(data.towns, {
      interactive: false,
      style: function () { return { color: "#37474f", weight: 1.5, dashArray: "5 4", fill: false }; },
      onEachFeature: function (f, l) { gwp.label(l, f.properties.name); },
    }).addTo(map);
    if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
    else map.setView([35, 105], 4);
    gwp.say("map-status", gwp.fmt("summary", { a: data.start, b: data.end, n: data.n_hazards,
                                               c: fc.features.length }));
    gwp.settle(map);
    el.dataset.ready = "1";
  }).catch(function (err) { gwp.say("map-status", err.message, "warn"); });
})();
