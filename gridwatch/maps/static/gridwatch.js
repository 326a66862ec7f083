/* gridwatch map helpers: compact data blobs, canvas point layer, escaped popups.
 *
 * Why a custom canvas layer rather than L.circleMarker or MarkerCluster: 70,000
 * Leaflet layer objects cost seconds to create and megabytes of page (measured in
 * bench/maps.py). Here the points stay in typed arrays, are drawn on one canvas, and a
 * click finds the nearest point by a linear scan (about 1 ms for 70,000).
 *
 * User text only ever reaches the DOM through textContent (gw.el), never innerHTML.
 */
(function () {
  "use strict";
  var gw = (window.gridwatch = window.gridwatch || {});
  gw.layers = gw.layers || {};

  gw.decode = function (b64) {
    var s = atob(b64), n = s.length, bytes = new Uint8Array(n);
    for (var i = 0; i < n; i++) bytes[i] = s.charCodeAt(i);
    return JSON.parse(pako.inflate(bytes, { to: "string" }));
  };

  gw.el = function (tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  };

  // rows: [[label, value], ...] -> <div><b>title</b><table>...</table></div>
  gw.table = function (title, rows, cls) {
    var div = gw.el("div", null, cls || "gw-info");
    if (title !== undefined && title !== null) div.appendChild(gw.el("div", title, "gw-title"));
    var t = document.createElement("table");
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.appendChild(gw.el("th", r[0]));
      tr.appendChild(gw.el("td", r[1] === null || r[1] === undefined ? "—" : r[1]));
      t.appendChild(tr);
    });
    div.appendChild(t);
    return div;
  };

  // GeoJSON polygons with a fill colour per feature (property "_c") and a
  // tooltip built from [label, property] pairs.
  gw.polygons = function (map, b64, opts) {
    var data = gw.decode(b64);
    var layer = L.geoJSON(data, {
      interactive: !!opts.fields,
      style: function (f) {
        var c = f.properties._c;
        return {
          color: opts.color || "#555", weight: opts.weight || 1,
          dashArray: opts.dashArray || null, opacity: opts.opacity || 0.9,
          // uncoloured features keep an invisible fill so their tooltip still
          // opens anywhere inside (SVG without fill only reacts on the outline)
          fill: !!c || !!opts.fields, fillColor: c || "#fff",
          fillOpacity: c ? opts.fillOpacity || 0.6 : 0,
        };
      },
      onEachFeature: opts.fields ? function (f, l) {
        l.bindTooltip(function () {
          return gw.table(f.properties[opts.titleField], opts.fields.map(function (p) {
            return [p[0], f.properties[p[1]]];
          }));
        }, { sticky: true });
      } : null,
    });
    return layer;
  };

  gw.PointsLayer = L.Layer.extend({
    options: { pane: "gwPoints", hitTolerance: 6 },

    initialize: function (b64, opts) {
      L.setOptions(this, opts);
      this._b64 = b64;
      this._shown = opts.colors.map(function () { return true; });
    },

    _decode: function () {
      if (this._d) return;
      var d = (this._d = gw.decode(this._b64));
      this._b64 = null;
      var n = (this._n = d.dlat.length);
      var lat = (this._lat = new Float64Array(n)), lng = (this._lng = new Float64Array(n));
      var a = 0, b = 0;
      for (var i = 0; i < n; i++) {
        a += d.dlat[i]; b += d.dlng[i];
        lat[i] = d.lat0 + a / d.scale; lng[i] = d.lng0 + b / d.scale;
      }
      this._names = d.name.split("\n");
      this._uscc = d.uscc.split("\n");
      // Points sharing coordinates (rank d.k[i] > 0) are spread on a sunflower
      // spiral around their point, in pixels, so none hides another at any zoom.
      if (d.k) {
        var sx = (this._sx = new Float32Array(n)), sy = (this._sy = new Float32Array(n));
        for (var j = 0; j < n; j++) {
          var k = d.k[j];
          if (!k) continue;
          var rad = Math.sqrt(k), ang = k * 2.399963229728653;  // golden angle
          sx[j] = rad * Math.cos(ang); sy[j] = rad * Math.sin(ang);
        }
      }
    },

    // Pixel offset unit of spread points: a little more than a marker's width.
    _step: function (r) { return Math.max(2.4 * r, 6); },

    // Is point i placed only at its village/town/district (drawn hollow)?
    _hollow: function (i) { return !!this._d.imp && this._d.imp.charAt(i) !== "0"; },

    onAdd: function (map) {
      this._map = map;
      if (!map.getPane(this.options.pane)) {
        map.createPane(this.options.pane).style.zIndex = 450;
      }
      var c = (this._canvas = L.DomUtil.create("canvas", "gw-points leaflet-zoom-hide"));
      c.style.pointerEvents = "none";
      map.getPane(this.options.pane).appendChild(c);
      if (this._d) return this._start();
      // Let boundaries, choropleth and legend paint first, then inflate the
      // points (about a second for 70,000 on a slow machine): the next frame, then
      // a task after it.
      var self = this;
      window.requestAnimationFrame(function () {
        setTimeout(function () {
          if (self._map === map) { self._decode(); self._start(); }
        }, 0);
      });
    },

    _start: function () {
      var map = this._map;
      // Project once at zoom 0; other zooms only scale (Web Mercator).
      var n = this._n, px = (this._px = new Float64Array(n)), py = (this._py = new Float64Array(n));
      for (var i = 0; i < n; i++) {
        var p = map.project([this._lat[i], this._lng[i]], 0);
        px[i] = p.x; py[i] = p.y;
      }
      this._onDomClick = L.bind(this._click, this);
      this._onDomMove = L.bind(this._move, this);
      map.getContainer().addEventListener("click", this._onDomClick);
      map.getContainer().addEventListener("mousemove", this._onDomMove);
      map.on("moveend zoomend resize viewreset", this._reset, this);
      this._reset();
      gw.layers[this.options.id || "points"] = this;
    },

    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      this._map = null;
      if (!this._onDomClick) return;
      map.getContainer().removeEventListener("click", this._onDomClick);
      map.getContainer().removeEventListener("mousemove", this._onDomMove);
      map.off("moveend zoomend resize viewreset", this._reset, this);
    },

    setStatusShown: function (k, shown) { this._shown[k] = shown; this._draw(); },

    _radius: function () {
      var z = this._map.getZoom();
      return z < 12 ? 1.5 : z < 14 ? 2.5 : z < 16 ? 4 : 6;
    },

    _offset: function () {
      var map = this._map, s = Math.pow(2, map.getZoom());
      var origin = map.getPixelOrigin(), pane = map._getMapPanePos();
      return { s: s, ox: origin.x - pane.x, oy: origin.y - pane.y };
    },

    _reset: function () {
      var map = this._map, size = map.getSize(), c = this._canvas;
      var dpr = window.devicePixelRatio || 1;
      L.DomUtil.setPosition(c, map.containerPointToLayerPoint([0, 0]));
      c.width = size.x * dpr; c.height = size.y * dpr;
      c.style.width = size.x + "px"; c.style.height = size.y + "px";
      this._dpr = dpr;
      this._draw();
    },

    _draw: function () {
      var ctx = this._canvas.getContext("2d"), d = this._d, st = d.st;
      var w = this._canvas.width / this._dpr, h = this._canvas.height / this._dpr;
      var o = this._offset(), r = this._radius(), px = this._px, py = this._py;
      var step = this._step(r), sx = this._sx, sy = this._sy;
      ctx.setTransform(this._dpr, 0, 0, this._dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      if (d.imp) this._drawRings(ctx, o, w, h);
      var order = this.options.drawOrder, drawn = 0, hr = Math.max(r, 3);
      for (var q = 0; q < order.length; q++) {
        var k = order[q];
        if (!this._shown[k]) continue;
        var code = String(k), hollow = [];
        ctx.beginPath();
        for (var i = 0; i < this._n; i++) {
          if (st.charAt(i) !== code) continue;
          var x = px[i] * o.s - o.ox, y = py[i] * o.s - o.oy;
          if (sx) { x += sx[i] * step; y += sy[i] * step; }
          if (x < -hr || y < -hr || x > w + hr || y > h + hr) continue;
          drawn++;
          if (d.imp && d.imp.charAt(i) !== "0") { hollow.push(x, y); continue; }
          ctx.moveTo(x + r, y);
          ctx.arc(x, y, r, 0, 6.283185307179586);
        }
        ctx.fillStyle = this.options.colors[k];
        ctx.fill();
        if (r >= 2.5) { ctx.lineWidth = 0.8; ctx.strokeStyle = "#fff"; ctx.stroke(); }
        if (hollow.length) {
          // imprecise: white inside, status colour as a thick outline
          ctx.beginPath();
          for (var j = 0; j < hollow.length; j += 2) {
            ctx.moveTo(hollow[j] + hr, hollow[j + 1]);
            ctx.arc(hollow[j], hollow[j + 1], hr, 0, 6.283185307179586);
          }
          ctx.fillStyle = "#fff";
          ctx.fill();
          ctx.lineWidth = 1.6; ctx.strokeStyle = this.options.colors[k];
          ctx.stroke();
        }
      }
      this._drawn = drawn;
      if (this.options.onDrawn) this.options.onDrawn(this, drawn);
    },

    // Dashed ring, the size of the village/town, around each imprecise point
    // (once per stack of points sharing it).
    _drawRings: function (ctx, o, w, h) {
      var d = this._d, px = this._px, py = this._py, st = d.st;
      var zoomScale = Math.pow(2, this._map.getZoom());
      ctx.beginPath();
      for (var i = 0; i < this._n; i++) {
        if (d.imp.charAt(i) === "0" || (d.k && d.k[i]) || !this._shown[+st.charAt(i)]) {
          continue;
        }
        // metres per pixel in Web Mercator at this latitude and zoom
        var mpp = 156543.03392 * Math.cos(this._lat[i] * Math.PI / 180) / zoomScale;
        var rr = d.ring[i] / mpp;
        var x = px[i] * o.s - o.ox, y = py[i] * o.s - o.oy;
        if (rr < 4 || x < -rr || y < -rr || x > w + rr || y > h + rr) continue;
        ctx.moveTo(x + rr, y);
        ctx.arc(x, y, rr, 0, 6.283185307179586);
      }
      ctx.setLineDash([5, 4]);
      ctx.lineWidth = 1.2; ctx.strokeStyle = "rgba(90, 90, 90, 0.75)";
      ctx.fillStyle = "rgba(120, 120, 120, 0.06)";
      ctx.fill(); ctx.stroke();
      ctx.setLineDash([]);
    },

    // Index of the shown point nearest a container point, or -1 beyond tolerance.
    nearest: function (cp) {
      var o = this._offset(), px = this._px, py = this._py, st = this._d.st;
      var r = this._radius(), step = this._step(r), sx = this._sx, sy = this._sy;
      var tol = Math.max(r, 3) + this.options.hitTolerance, best = -1, bestD = tol * tol;
      for (var i = 0; i < this._n; i++) {
        var dx = px[i] * o.s - o.ox - cp.x + (sx ? sx[i] * step : 0);
        if (dx > tol || dx < -tol) continue;
        var dy = py[i] * o.s - o.oy - cp.y + (sy ? sy[i] * step : 0);
        var dd = dx * dx + dy * dy;
        if (dd <= bestD && this._shown[+st.charAt(i)]) { best = i; bestD = dd; }
      }
      return best;
    },

    // Where point i is drawn (its spread position when it shares coordinates).
    containerPointOf: function (i) {
      var p = this._map.latLngToContainerPoint([this._lat[i], this._lng[i]]);
      if (!this._sx) return p;
      var step = this._step(this._radius());
      return L.point(p.x + this._sx[i] * step, p.y + this._sy[i] * step);
    },

    indexOf: function (uscc) { return this._uscc.indexOf(uscc); },

    _outside: function (e) {
      var t = e.target;
      return t && t.closest && t.closest(".leaflet-popup, .leaflet-control");
    },

    _click: function (e) {
      if (this._outside(e)) return;
      if (this._map.dragging && this._map.dragging.moved()) return;
      var i = this.nearest(this._map.mouseEventToContainerPoint(e));
      if (i >= 0) this.openPopup(i);
    },

    openPopup: function (i) {
      var content = this.options.popup(this, i);
      this._popup = L.popup({ maxWidth: 360, className: "gw-popup" })
        .setLatLng(this._map.containerPointToLatLng(this.containerPointOf(i)))
        .setContent(content)
        .openOn(this._map);
      return this._popup;
    },

    _move: function (e) {
      if (this._pending) return;
      var self = this;
      this._pending = true;
      window.requestAnimationFrame(function () {
        self._pending = false;
        if (!self._map) return;
        var hit = !self._outside(e) && self.nearest(self._map.mouseEventToContainerPoint(e)) >= 0;
        self._map.getContainer().classList.toggle("gw-hit", hit);
      });
    },
  });

  // Popup of an enterprise on the coverage map.
  gw.enterprisePopup = function (layer, i) {
    var d = layer._d, last = d.last[i];
    var lastText = last < 0 ? "无记录" : gw.isoDate(d.base, last);
    return gw.table(layer._names[i], [
      ["统一社会信用代码", layer._uscc[i]],
      ["行业", d.sectors[d.sec.charCodeAt(i) - 48]],
      ["风险等级", d.risks[d.risk.charCodeAt(i) - 48]],
      ["检查状态", d.statuses[+d.st.charAt(i)]],
      ["最近检查", lastText],
      ["未整改隐患", String(d.haz[i])],
    ].concat(layer._hollow(i) ? [["定位精度", d.imprecise[d.imp.charCodeAt(i) - 49]
      + "（约 " + d.ring[i] + " 米范围内，需人工核实）"]] : []), "gw-info gw-enterprise");
  };

  gw.isoDate = function (baseIso, days) {
    var t = Date.parse(baseIso + "T00:00:00Z") + days * 86400000;
    return new Date(t).toISOString().slice(0, 10);
  };
})();
