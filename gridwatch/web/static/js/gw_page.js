/* Shared helpers of gridwatch's map pages: the base map, the display datum, the
 * page's translated texts, JSON fetches and "where am I".
 *
 * Texts come from data-* attributes of the page's #gw-text element (the template
 * renders them through gettext), so the scripts carry no language of their own.
 * User text only ever reaches the DOM through textContent, never innerHTML.
 */
(function () {
  "use strict";
  var gwp = (window.gwpage = window.gwpage || {});

  gwp.text = function (key) {
    var el = document.getElementById("gw-text");
    return (el && el.dataset[key]) || key;
  };

  // "{n} 家" with values filled in (values are numbers or plain text).
  gwp.fmt = function (key, values) {
    return gwp.text(key).replace(/\{(\w+)\}/g, function (m, k) {
      return values[k] === undefined || values[k] === null ? "—" : String(values[k]);
    });
  };

  gwp.el = function (tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  };

  // A Leaflet map on `el`, with the base tiles of the settings (data-tiles) or
  // none: the boundaries are then the base map.
  gwp.map = function (el) {
    var d = el.dataset;
    var map = L.map(el, { preferCanvas: true, maxZoom: 19, zoomSnap: 0.5 });
    map.attributionControl.setPrefix(false);
    gwp.maps = gwp.maps || {};
    gwp.maps[el.id] = map;  // by element id (the browser tests find it here)
    if (d.tiles) {
      L.tileLayer(d.tiles, {
        attribution: d.attribution || "", subdomains: d.subdomains || "abc", maxZoom: 19,
      }).addTo(map);
    } else {
      el.classList.add("gw-nobase");
    }
    return map;
  };

  // WGS-84 → the map's datum. Over GCJ-02 tiles (Amap) every WGS-84 layer is
  // shifted with the published GCJ-02 formula, the same one gridwatch/crs.py
  // uses for the server-drawn layers (no vendored JS library does only this). The
  // server decides the datum; gridwatch's districts lie in mainland China, where
  // the shift applies, so no border mask is needed here.
  var A = 6378245.0, EE = 0.00669342162296594323;
  function delta(lng, lat) {
    var x = lng - 105.0, y = lat - 35.0, pi = Math.PI;
    var common = (20 * Math.sin(6 * x * pi) + 20 * Math.sin(2 * x * pi)) * 2 / 3;
    var dlat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
      + common + (20 * Math.sin(y * pi) + 40 * Math.sin(y / 3 * pi)) * 2 / 3
      + (160 * Math.sin(y / 12 * pi) + 320 * Math.sin(y * pi / 30)) * 2 / 3;
    var dlng = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
      + common + (20 * Math.sin(x * pi) + 40 * Math.sin(x / 3 * pi)) * 2 / 3
      + (150 * Math.sin(x / 12 * pi) + 300 * Math.sin(x / 30 * pi)) * 2 / 3;
    var radlat = lat / 180 * pi, magic = 1 - EE * Math.sin(radlat) * Math.sin(radlat);
    var sq = Math.sqrt(magic);
    return [(dlng * 180) / (A / sq * Math.cos(radlat) * pi),
            (dlat * 180) / ((A * (1 - EE)) / (magic * sq) * pi)];
  }
  gwp.toMap = function (el, lng, lat) {
    if (el.dataset.datum !== "gcj02") return [lng, lat];
    var d = delta(lng, lat);
    return [lng + d[0], lat + d[1]];
  };

  // GET JSON; a failure rejects with the server's one-sentence message.
  gwp.getJSON = function (url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (!r.ok) {
            var msg = body && body.error && body.error.message;
            throw new Error(msg || gwp.fmt("httpError", { status: r.status }));
          }
          return body;
        });
      });
  };

  // One status line under a map (role=status in the template).
  gwp.say = function (id, text, cls) {
    var el = document.getElementById(id);
    if (!el) return;
    el.textContent = text || "";
    el.className = "map-status" + (cls ? " " + cls : "");
  };

  // Leaflet measures its container when it is created; a map drawn before the
  // page's layout settles is told once more.
  gwp.settle = function (map) {
    window.requestAnimationFrame(function () { map.invalidateSize(); });
  };

  // "Where am I": the phone's position (Geolocation API) as a dot with its
  // accuracy circle; the map moves there.
  gwp.locate = function (map, el, statusId) {
    var layer = L.layerGroup().addTo(map);
    return function () {
      if (!window.isSecureContext) return gwp.say(statusId, gwp.text("geoInsecure"), "warn");
      if (!navigator.geolocation) return gwp.say(statusId, gwp.text("geoUnsupported"), "warn");
      gwp.say(statusId, gwp.text("geoWaiting"));
      navigator.geolocation.getCurrentPosition(function (pos) {
        var c = pos.coords, p = gwp.toMap(el, c.longitude, c.latitude);
        var ll = L.latLng(p[1], p[0]);
        layer.clearLayers();
        L.circle(ll, { radius: c.accuracy, color: "#1565c0", weight: 1, fillOpacity: 0.1 })
          .addTo(layer);
        L.circleMarker(ll, { radius: 7, color: "#fff", weight: 2, fillColor: "#1565c0",
                             fillOpacity: 1 }).addTo(layer);
        map.setView(ll, Math.max(map.getZoom(), 16));
        gwp.say(statusId, gwp.fmt("geoHere", { m: Math.round(c.accuracy) }), "ok");
      }, function (err) {
        var key = { 1: "geoDenied", 2: "geoUnavailable", 3: "geoTimeout" }[err.code];
        gwp.say(statusId, gwp.text(key || "geoUnavailable"), "warn");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
    };
  };

  // A permanent name label in the middle of an area (text only).
  gwp.label = function (layer, text) {
    if (!text) return;
    layer.bindTooltip(gwp.el("span", text), {
      permanent: true, direction: "center", className: "area-label", interactive: false,
    });
  };

  gwp.percent = function (share) {
    return share === null || share === undefined ? "—" : Math.round(share * 100) + "%";
  };
})();
