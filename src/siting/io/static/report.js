// The map(s) of report.html and compare.html (siting/io/html.py writes the data): one Leaflet layer group per result
// layer, a legend that switches them, a popup with a feature's figures on click. Text from the
// data is only ever set with textContent, never as HTML: names come from user files.
(function () {
  "use strict";
  function drawMap(el, data) {
    var RAMP = ["#d73027", "#fc8d59", "#fee090", "#e0f3f8", "#91bfdb", "#4575b4"]; // 0 red .. 1 blue (map.png)
    var map = L.map(el, data.planar
      ? { crs: L.CRS.Simple, minZoom: -40, maxZoom: 40, zoomSnap: 0.25 }
      : { maxZoom: 19, zoomSnap: 0.25 });
    if (data.bounds) map.fitBounds(data.bounds, { padding: [16, 16] });
    if (!data.planar) L.control.scale({ imperial: false }).addTo(map);

    function latlng(c) { return L.latLng(c[1], c[0]); }

    function hex(c) { return [1, 3, 5].map(function (k) { return parseInt(c.substr(k, 2), 16); }); }

    function rampColor(v) {
      v = Math.max(0, Math.min(1, Number(v))) * (RAMP.length - 1);
      var k = Math.min(Math.floor(v), RAMP.length - 2), f = v - k, a = hex(RAMP[k]), b = hex(RAMP[k + 1]);
      return "rgb(" + a.map(function (x, i) { return Math.round(x + f * (b[i] - x)); }).join(",") + ")";
    }

    function fmt(v) {
      if (v === null || v === undefined || v === "") return "—";
      if (typeof v === "boolean") return v ? "yes" : "no";
      if (typeof v === "number") {
        if (Number.isInteger(v) && Math.abs(v) < 1e4) return String(v);
        return Math.abs(v) < 1e4 ? v.toLocaleString("en", { maximumSignificantDigits: 4 })
          : v.toLocaleString("en", { maximumFractionDigits: 0 });
      }
      return String(v);
    }

    function cssName(name) { return String(name).toLowerCase().replace(/[^a-z0-9_-]/g, "-"); }

    function column(layer, field) { return field ? layer.fields.indexOf(field) : -1; }

    function maxOf(layer, k) {
      var m = 0;
      if (k >= 0) layer.rows.forEach(function (r) { if (typeof r[k] === "number" && r[k] > m) m = r[k]; });
      return m;
    }

    function classOf(cls, v) {
      if (cls.threshold === undefined) return v;
      return v === null ? null : v > cls.threshold ? "above" : "below";
    }

    function styler(layer) {
      var s = layer.style, cls = s.classes, k = {
        cls: cls ? column(layer, cls.field) : -1, ramp: column(layer, s.ramp),
        size: column(layer, s.size_by), width: column(layer, s.width_by)
      };
      var sizeMax = maxOf(layer, k.size), widthMax = maxOf(layer, k.width);
      return function (row) {
        var o = {
          color: s.color || "#3182bd", weight: s.weight !== undefined ? s.weight : 1,
          opacity: s.opacity !== undefined ? s.opacity : 1, fill: s.fill !== false,
          fillColor: s.fillColor || s.color || "#3182bd", fillOpacity: s.fillOpacity !== undefined ? s.fillOpacity : 0.85,
          radius: s.radius || 5
        };
        var c = k.cls >= 0 ? cls.values[classOf(cls, row[k.cls])] : undefined;
        if (c) {
          o.color = c.color;
          o.fillColor = c.fillColor;
          o.radius = c.radius || o.radius;
        }
        if (k.ramp >= 0 && row[k.ramp] !== null) o.fillColor = rampColor(row[k.ramp]);
        if (k.size >= 0 && sizeMax > 0 && row[k.size] > 0) {
          o.radius = o.radius + ((s.max_radius || 2 * o.radius) - o.radius) * Math.sqrt(row[k.size] / sizeMax);
        }
        if (k.width >= 0 && widthMax > 0 && row[k.width] > 0) {
          o.color = s.active_color;
          o.weight = 1.5 + 5 * row[k.width] / widthMax;
        }
        return o;
      };
    }

    function popup(layer, row) {
      var box = document.createElement("div"), head = document.createElement("strong");
      var id = column(layer, "id"), name = column(layer, "name");
      var what = id >= 0 ? fmt(row[id]) : "";
      if (name >= 0 && row[name]) what = fmt(row[name]) + (what ? " (" + what + ")" : "");
      head.textContent = layer.style.label + (what ? ": " + what : "");
      box.className = "siting-popup";
      box.appendChild(head);
      var table = document.createElement("table");
      layer.fields.forEach(function (field, k) {
        var tr = table.insertRow(), th = document.createElement("th");
        th.textContent = field;
        tr.appendChild(th);
        tr.insertCell().textContent = fmt(row[k]);
      });
      box.appendChild(table);
      return box;
    }

    function draw(layer) {
      var group = L.featureGroup(), style = styler(layer), count = 0;
      var options = {
        className: "siting-feature siting-layer-" + cssName(layer.name) + (layer.outline ? " siting-outline" : ""),
        interactive: !layer.outline, bubblingMouseEvents: false
      };
      layer.geometry.forEach(function (g, i) {
        if (g === null) return;
        var row = layer.rows[i], o = L.extend({}, options, style(row)), f;
        if (layer.kind === "point") f = L.circleMarker(latlng(g), o);
        else if (layer.kind === "line") f = L.polyline(g.map(latlng), o);
        else {
          f = L.geoJSON(g, {
            coordsToLatLng: latlng, style: function () { return o; },
            pointToLayer: function (_, ll) { return L.circleMarker(ll, o); } // never a default marker: an image
          });
        }
        if (!layer.outline) f.bindPopup(function () { return popup(layer, row); }, { maxWidth: 360 });
        group.addLayer(f);
        count += 1;
      });
      return { group: group, count: count };
    }

    function swatch(kind, o) {
      var s = document.createElement("span");
      s.className = "swatch " + (kind === "point" ? "dot" : kind === "line" || o.fill === false ? "line" : "area");
      if (kind === "point") {
        s.style.background = o.fillColor || o.color;
        s.style.borderColor = o.color;
      } else if (kind === "line" || o.fill === false) {
        s.style.borderTopColor = o.color;
        s.style.borderTopWidth = Math.max(1, o.weight || 1) + "px";
      } else {
        s.style.background = o.fillColor || o.color;
        s.style.borderColor = o.color;
      }
      return s;
    }

    function legendRow(parent, kind, o, text) {
      var row = document.createElement("div");
      row.className = "legend-row";
      row.appendChild(kind === "ramp" ? ramp() : swatch(kind, o));
      row.appendChild(document.createTextNode(text));
      parent.appendChild(row);
    }

    function ramp() {
      var s = document.createElement("span");
      s.className = "swatch ramp";
      s.style.background = "linear-gradient(to right, " + RAMP.join(", ") + ")";
      return s;
    }

    var legend = L.control({ position: "bottomright" });
    var blocks = [];
    var total = 0;
    data.layers.forEach(function (layer) {
      var drawn = draw(layer);
      drawn.group.addTo(map);
      total += drawn.count;
      el.setAttribute("data-layer-" + cssName(layer.name), String(drawn.count));
      blocks.push({ layer: layer, group: drawn.group, count: drawn.count });
    });

    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "siting-legend");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      blocks.slice().reverse().forEach(function (b) { // top of the drawing first
        var s = b.layer.style, kind = b.layer.legend || (b.layer.outline ? "line" : b.layer.kind);
        var block = document.createElement("div");
        var label = document.createElement("label"), box = document.createElement("input");
        box.type = "checkbox";
        box.checked = true;
        box.addEventListener("change", function () {
          if (box.checked) b.group.addTo(map); else map.removeLayer(b.group);
        });
        label.appendChild(box);
        var base = styler({ style: s, fields: [], rows: [] })([]);
        if (!s.classes && !s.ramp && !s.width_by) label.appendChild(swatch(kind, base));
        label.appendChild(document.createTextNode(" " + s.label + " (" + b.count.toLocaleString("en") +
          (b.layer.total && b.layer.total !== b.count ? " of " + b.layer.total.toLocaleString("en") : "") + ")"));
        block.className = "legend-block";
        block.appendChild(label);
        if (s.classes) {
          var k = column(b.layer, s.classes.field), seen = {};
          b.layer.rows.forEach(function (r) { var v = classOf(s.classes, r[k]); seen[v] = (seen[v] || 0) + 1; });
          Object.keys(seen).sort().forEach(function (v) {
            var c = s.classes.values[v];
            legendRow(block, kind, c ? L.extend({}, base, c) : base, (c ? c.label : v) + " (" + seen[v] + ")");
          });
        } else if (s.ramp) {
          legendRow(block, "ramp", base, "red 0 … blue 1: " + s.ramp);
          if (s.size_by) legendRow(block, kind, base, "size: " + s.size_by);
        } else if (s.width_by) {
          legendRow(block, kind, L.extend({}, base, { color: s.active_color, weight: 4 }), s.active_label);
          legendRow(block, kind, base, "no " + s.active_label.split(" (")[0]);
        } else if (s.size_by) {
          legendRow(block, kind, base, "size: " + s.size_by);
        }
        div.appendChild(block);
      });
      return div;
    };
    legend.addTo(map);
    el.setAttribute("data-features", String(total));
    el.setAttribute("data-ready", "1");
  }

  // compare.html: one map per element with data-map (the id of its data script); report.html: #map
  var many = document.querySelectorAll("[data-map]");
  if (many.length) {
    many.forEach(function (el) {
      drawMap(el, JSON.parse(document.getElementById(el.getAttribute("data-map")).textContent));
    });
    return;
  }
  var one = document.getElementById("map");
  if (one) drawMap(one, JSON.parse(document.getElementById("siting-data").textContent));
})();
