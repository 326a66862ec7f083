/* 我的网格: the warden's grids and enterprises, coloured by inspection status.
 *
 * Drawn with the offline maps' own layers (gridwatch/maps/static/gridwatch.js):
 * enterprises on one canvas, those placed only at their community/town hollow
 * with a dashed ring of that unit's size, points sharing coordinates spread on a
 * spiral so none hides another. Data: GET data-src (services/warden_map.py).
 */
(function () {
  "use strict";
  var gwp = window.gwpage, gw = window.gridwatch;
  var el = document.getElementById("map");
  if (!el) return;
  var map = gwp.map(el);
  var json = function (key) { return JSON.parse(gwp.text(key)); };
  // translated labels, in the payload's code order (vocab order)
  var statuses = json("statuses"), risks = json("risks");

  function link(text, href, cls) {
    var a = gwp.el("a", text, cls);
    a.href = href;
    return a;
  }

  function fileUrl(id) { return el.dataset.fileUrl.replace("2147483647", String(id)); }
  function recordUrl(id) { return el.dataset.recordUrl.replace("2147483647", String(id)); }

  function popup(data) {
    return function (layer, i) {
      var d = layer._d, uscc = layer._uscc[i], id = data.ids[uscc];
      var last = d.last[i];
      var rows = [
        [gwp.text("uscc"), uscc],
        [gwp.text("risk"), risks[d.risk.charCodeAt(i) - 48]],
        [gwp.text("status"), statuses[+d.st.charAt(i)]],
        [gwp.text("last"), last < 0 ? gwp.text("never") : gw.isoDate(d.base, last)],
        [gwp.text("openHazards"), String(d.haz[i])],
      ];
      if (layer._hollow(i)) {
        rows.push([gwp.text("precision"), gwp.fmt("imprecise", { m: d.ring[i] })]);
      }
      var box = gw.table(layer._names[i], rows, "gw-info gw-enterprise");
      var actions = gwp.el("div", null, "popup-actions");
      actions.appendChild(link(gwp.text("openFile"), fileUrl(id), "button small"));
      actions.appendChild(link(gwp.text("record"), recordUrl(id), "button small primary"));
      box.appendChild(actions);
      return box;
    };
  }

  function legend(data, points) {
    document.querySelectorAll("[data-dot]").forEach(function (dot) {
      dot.style.background = data.colors[+dot.getAttribute("data-dot")];
    });
    document.querySelectorAll("[data-count]").forEach(function (span) {
      span.textContent = String(data.counts[span.getAttribute("data-count")] || 0);
    });
    var note = document.getElementById("imprecise-note");
    if (note) note.textContent = gwp.fmt("impreciseNote", { n: data.counts.imprecise || 0 });
    document.querySelectorAll("input[data-status]").forEach(function (box) {
      box.addEventListener("change", function () {
        points.setStatusShown(+box.getAttribute("data-status"), box.checked);
      });
    });
  }

  function unplaced(data) {
    var list = document.getElementById("unplaced");
    if (!list || !data.unplaced.length) return;
    list.parentElement.hidden = false;
    data.unplaced.forEach(function (e) {
      var li = gwp.el("li");
      li.appendChild(link(e.name, fileUrl(e.id)));
      li.appendChild(gwp.el("span", statuses[data.statuses.indexOf(e.status)], "tag"));
      list.appendChild(li);
    });
  }

  gwp.say("map-status", gwp.text("loading"));
  gwp.getJSON(el.dataset.src).then(function (data) {
    var grids = gw.polygons(map, data.grids, {
      fields: [[gwp.text("grid"), "code"], [gwp.text("warden"), "responsible_warden"],
               [gwp.text("nEnt"), "n"], [gwp.text("overdueN"), "overdue"],
               [gwp.text("openHazards"), "open_hazards"]],
      titleField: "code", color: "#37474f", weight: 1.5, fillOpacity: 0.3,
    }).addTo(map);
    var bounds = grids.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
    else map.setView([35, 105], 4);
    var points = new gw.PointsLayer(data.points, {
      colors: data.colors, drawOrder: data.draw_order, id: "points", popup: popup(data),
    }).addTo(map);
    legend(data, points);
    unplaced(data);
    gwp.settle(map);
    gwp.say("map-status", gwp.fmt("shown", { n: data.n_points }));
    el.dataset.ready = "1";
  }).catch(function (err) {
    gwp.say("map-status", err.message, "error");
  });

  var here = document.getElementById("where-am-i");
  if (here) here.addEventListener("click", gwp.locate(map, el, "geo-status"));
})();
