/* A grid version beside the active one on one Leaflet map.
 * GETs data-url (/api/v1/grids/versions/<id>/compare): the version's grids in
 * red (changed ones filled), the active ones dashed blue; a click on a grid
 * shows its figures and picks it in the split/merge forms. Text is set with
 * textContent only; no tiles (nothing leaves the site). */
(function () {
  "use strict";
  var node = document.getElementById("redraw-map");
  if (!node || typeof L === "undefined") { return; }
  var t = node.dataset;
  var map = L.map(node, { attributionControl: false, scrollWheelZoom: false });
  var picked = [];

  function line(label, value) {
    var div = document.createElement("div");
    var b = document.createElement("strong");
    b.textContent = label + ": ";
    div.appendChild(b);
    div.appendChild(document.createTextNode(String(value)));
    return div;
  }

  function popup(p, which) {
    var box = document.createElement("div");
    box.appendChild(line(t.labelCode, p.code + " (" + which + ")"));
    box.appendChild(line(t.labelWorkload, p.workload));
    box.appendChild(line(t.labelEnterprises, p.n_enterprises));
    box.appendChild(line(t.labelCompactness, p.compactness));
    return box;
  }

  function pick(code) {
    var split = document.getElementById("split-code");
    if (split) { split.value = code; }
    picked = picked.filter(function (c) { return c !== code; }).concat([code]).slice(-2);
    var a = document.getElementById("merge-first"), b = document.getElementById("merge-second");
    if (a && b && picked.length === 2) { a.value = picked[0]; b.value = picked[1]; }
  }

  function layer(fc, style, which, clickable) {
    return L.geoJSON(fc, {
      style: style,
      onEachFeature: function (f, lyr) {
        lyr.bindPopup(popup(f.properties, which));
        if (clickable) { lyr.on("click", function () { pick(f.properties.code); }); }
      }
    });
  }

  fetch(t.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var active = layer(data.active, { color: "#0b5cad", weight: 2, dashArray: "6 4", fill: false },
        t.labelActive, false).addTo(map);
      var draft = layer(data.draft, function (f) {
        return { color: "#b3261e", weight: 2, fillColor: "#f5b400",
                 fillOpacity: f.properties.changed ? 0.35 : 0.05 };
      }, t.labelDraft, true).addTo(map);
      var overlays = {};
      overlays[t.labelDraft] = draft;
      overlays[t.labelActive] = active;
      L.control.layers(null, overlays, { collapsed: false }).addTo(map);
      var bounds = draft.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds); } else { map.setView([23.02, 113.1], 12); }
      node.setAttribute("data-ready", "1");
    });
})();
