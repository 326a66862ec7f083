/* The dashboard's charts (Apache ECharts) and maps (Leaflet), drawn from the JSON
   of /api/v1/dashboard/… whose URLs the page puts on #dashboard. No inline script
   (the CSP allows only 'self'); text from the server goes into the DOM through
   textContent only, and ECharts draws its tooltips on the canvas (richText), so
   no HTML is built from data. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root || !window.echarts) { return; }
  /* the periods themselves are written above the charts */
  var THIS = "本期", LAST = "上年同期";
  var BLUE = "#2b6cb0", GREY = "#a0aec0", ORANGE = "#c05621", GREEN = "#2f855a",
    RED = "#b3261e";

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error(url + " → " + r.status); }
        return r.json();
      });
  }

  function chart(name) {
    var el = root.parentNode.querySelector('[data-chart="' + name + '"]');
    return el ? echarts.init(el, null, { renderer: "canvas" }) : null;
  }

  function pct(values) {
    return values.map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; });
  }

  function base(title, unit) {
    return {
      title: { text: title, left: 0, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 36, left: 0, type: "scroll" },
      grid: { left: 8, right: 8, top: 100, bottom: 8, containLabel: true },
      /* counts are whole numbers: no 0.2 penalties on the axis */
      yAxis: { type: "value", name: unit, nameGap: 10,
        nameTextStyle: { align: "right", padding: [0, 4, 0, 0] },
        minInterval: unit === "%" ? 0 : 1 },
      animation: false
    };
  }

  function bars(name, title, unit, names, series) {
    var c = chart(name);
    if (!c) { return; }
    var opt = base(title, unit);
    opt.xAxis = { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 4 ? 30 : 0 } };
    opt.series = series.map(function (s) {
      return { type: "bar", name: s.name, data: s.data, itemStyle: { color: s.color } };
    });
    c.setOption(opt);
    window.addEventListener("resize", function () { c.resize(); });
  }

  function empty(name, text) {
    var el = root.parentNode.querySelector('[data-chart="' + name + '"]');
    if (!el) { return; }
    el.classList.add("empty");
    var p = document.createElement("p");
    p.className = "muted";
    p.textContent = text;
    el.appendChild(p);
  }

  function drawSeries(d) {
    var t = d.towns;
    bars("coverage", "各镇（街道）检查覆盖率", "%", t.inspected_rate.names, [
      { name: "大检查覆盖率", data: pct(t.inspected_rate.value), color: BLUE },
      { name: "（上年同期）", data: pct(t.inspected_rate.previous), color: GREY },
      { name: "按期检查率", data: pct(t.coverage_rate.value), color: GREEN },
      { name: "（上年同期） ", data: pct(t.coverage_rate.previous), color: "#c6e2d0" }
    ]);
    bars("penalties", "各镇（街道）行政处罚（次）", "次", t.penalties.names, [
      { name: THIS, data: t.penalties.value, color: BLUE },
      { name: LAST, data: t.penalties.previous, color: GREY }
    ]);
    bars("selfreports", "各镇（街道）企业隐患自查自报率", "%", t.self_report_rate.names, [
      { name: THIS, data: pct(t.self_report_rate.value), color: BLUE },
      { name: LAST, data: pct(t.self_report_rate.previous), color: GREY }
    ]);
    var g = d.accident_grades;
    bars("accidents", "生产安全事故（起）", "起", g.names, [
      { name: "起数", data: g.count, color: RED },
      { name: "死亡（人）", data: g.deaths, color: "#4a5568" }
    ]);
    if (d.campaigns.available && d.campaigns.names.length) {
      bars("campaigns", "专项整治完成率", "%", d.campaigns.names, [
        { name: THIS, data: pct(d.campaigns.share), color: GREEN }
      ]);
    } else {
      empty("campaigns", "本期没有专项整治记录。");
    }
    var m = d.monthly, c = chart("hazards");
    if (c) {
      var opt = base("隐患按月", "项");
      opt.xAxis = { type: "category", data: d.months };
      var line = function (name, data, color, dashed) {
        return { type: "line", name: name, data: data, itemStyle: { color: color },
          lineStyle: { type: dashed ? "dashed" : "solid" } };
      };
      opt.series = [
        line("发现", m.hazards_found.value, BLUE, false),
        line("发现（上年同期）", m.hazards_found.previous, BLUE, true),
        line("整改", m.hazards_rectified_in_period.value, GREEN, false),
        line("销号", m.hazards_closed.value, "#805ad5", false),
        line("逾期未整改（月末）", m.hazards_overdue.value, ORANGE, false),
        line("逾期（上年同期）", m.hazards_overdue.previous, ORANGE, true)
      ];
      c.setOption(opt);
      window.addEventListener("resize", function () { c.resize(); });
    }
  }

  /* --- maps ------------------------------------------------------------ */
  var maps = {};

  function mapFor(name, tiles) {
    var el = root.parentNode.querySelector('[data-map="' + name + '"]');
    if (!el || !window.L) { return null; }
    if (!maps[name]) {
      maps[name] = L.map(el, { attributionControl: !!tiles, zoomSnap: 0.25 });
      if (tiles) {
        L.tileLayer(tiles.url, { attribution: tiles.attribution,
          subdomains: tiles.subdomains || "abc" }).addTo(maps[name]);
      }
    }
    if (maps[name].data) { maps[name].removeLayer(maps[name].data); }
    return maps[name];
  }

  function popup(rows) {
    var box = document.createElement("dl");
    box.className = "popup";
    rows.forEach(function (r) {
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = r[0];
      dd.textContent = r[1] === null || r[1] === undefined ? "—" : String(r[1]);
      box.appendChild(dt);
      box.appendChild(dd);
    });
    return box;
  }

  function legend(name, title, rows, notes) {
    var el = root.parentNode.querySelector('[data-legend="' + name + '"]');
    if (!el) { return; }
    while (el.firstChild) { el.removeChild(el.firstChild); }
    var h = document.createElement("p");
    h.className = "legend-title";
    h.textContent = title;
    el.appendChild(h);
    var ul = document.createElement("ul");
    rows.forEach(function (r) {
      var li = document.createElement("li"), sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = r[0];   /* CSSOM: allowed by the CSP */
      li.appendChild(sw);
      li.appendChild(document.createTextNode(r[1]));
      ul.appendChild(li);
    });
    el.appendChild(ul);
    (notes || []).forEach(function (n) {
      if (!n) { return; }
      var p = document.createElement("p");
      p.className = "muted small";
      p.textContent = n;
      el.appendChild(p);
    });
  }

  var RAMP = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"].reverse();
  function rampColor(v) {  /* share 0..1: high share = good = light */
    if (v === null || v === undefined) { return "#e2e8f0"; }
    var k = Math.min(4, Math.floor(v * 5));
    return RAMP[k];
  }

  var townOutlines = null;
  function outline(m) {
    if (!townOutlines || m.outline) { return; }
    m.outline = L.geoJSON(townOutlines, { interactive: false,
      style: function () { return { color: "#4a5568", weight: 1.5, fill: false }; } }).addTo(m);
  }

  function drawTowns(d) {
    townOutlines = d;
    Object.keys(maps).forEach(function (k) { if (k !== "towns") { outline(maps[k]); } });
    var m = mapFor("towns", d.tiles);
    if (!m) { return; }
    m.data = L.geoJSON(d, {
      style: function (f) {
        return { color: "#4a5568", weight: 1, fillOpacity: 0.75,
          fillColor: rampColor(f.properties.value) };
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        var share = function (v) { return v === null ? null : (Math.round(v * 1000) / 10) + "%"; };
        layer.bindPopup(popup([["镇（街道）", p.name], [d.legend.title, share(p.value)],
          ["上年同期", share(p.previous)], ["达标企业/企业", p.num + " / " + p.den]]));
      }
    }).addTo(m);
    if (m.data.getBounds().isValid()) { m.fitBounds(m.data.getBounds(), { padding: [8, 8] }); }
    var rows = ["0–20%", "20–40%", "40–60%", "60–80%", "80–100%"].map(function (t, k) {
      return [RAMP[k], t];
    });
    legend("towns", d.legend.title, rows, [d.legend.datum_note]);
  }

  function drawCells(name, d, colorKey, labelKey, rows, title) {
    var m = mapFor(name, d.tiles);
    if (!m) { return; }
    outline(m);
    m.data = L.geoJSON(d, {
      style: function (f) {
        var c = f.properties[colorKey];
        return { color: "#8c8c8c", weight: 0.5, fillColor: c || "#ffffff",
          fillOpacity: c ? 0.75 : 0 };
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindPopup(popup([["单元", p.cell_id], ["结果", p[labelKey]],
          [d.legend.measure_label, p.value === null ? null : Math.round(p.value * 100) / 100],
          ["隐患数", p.n_hazards], ["企业数", p.n_enterprises]]));
      }
    }).addTo(m);
    if (m.data.getBounds().isValid()) { m.fitBounds(m.data.getBounds(), { padding: [8, 8] }); }
    legend(name, title, rows, ["分析指标：" + d.legend.measure_label, d.legend.unit_reason,
      d.legend.smoothing_note, d.legend.datum_note]);
  }

  var status = document.getElementById("hotspot-status");
  function drawHotspots(measure) {
    status.textContent = "正在计算热点……";
    var url = root.getAttribute("data-hotspots") + "&measure=" + encodeURIComponent(measure);
    return getJSON(url).then(function (d) {
      if (!d.features.length) {
        status.textContent = d.legend.title;
        return;
      }
      drawCells("hotspots", d, "color", "label_zh", d.legend.labels,
        "热点/冷点（Gi*，" + d.legend.permutations + " 次置换，FDR 校正）");
      drawCells("emerging", d, "trend_color", "trend_zh", d.legend.trends,
        "新兴热点（逐月 Gi* 与 Mann-Kendall 趋势）");
      status.textContent = "分析指标：" + d.legend.measure_label;
    }).catch(function () { status.textContent = "热点无法计算，请稍后重试。"; });
  }

  getJSON(root.getAttribute("data-series")).then(drawSeries)
    .catch(function () { empty("coverage", "图表数据无法载入。"); });
  getJSON(root.getAttribute("data-towns")).then(drawTowns).catch(function () {});
  var select = document.getElementById("measure");
  drawHotspots(select.value);
  select.addEventListener("change", function () { drawHotspots(select.value); });
}());
