// schedlab's small SVG chart library (shipped with the package: no CDN at run time).
// gantt(el, rows, bars): zoom with the mouse wheel, drag to pan, hover a bar for its details.
// line(el, series, opts) and cdf(el, samples, opts): axes, ticks and a hover read-out.
"use strict";
const SVGNS = "http://www.w3.org/2000/svg";
function svgEl(tag, attrs, parent) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}
function niceStep(span, target) {
  const raw = span / Math.max(target, 1), mag = Math.pow(10, Math.floor(Math.log10(raw || 1)));
  for (const m of [1, 2, 5, 10]) if (raw <= m * mag) return m * mag;
  return 10 * mag;
}
function colour(k) { return `hsl(${(k * 137.508) % 360}, 55%, 62%)`; }
function tooltip(el) {
  let tip = el.querySelector(".sl-tip");
  if (!tip) { tip = document.createElement("div"); tip.className = "sl-tip"; el.appendChild(tip); }
  return tip;
}

export function gantt(el, rows, bars, opts = {}) {
  el.innerHTML = "";
  el.style.position = "relative";
  const width = opts.width || el.clientWidth || 1000, rowH = 22, left = 70, top = 8, bottom = 26;
  const height = top + rows.length * rowH + bottom;
  const end = Math.max(1, ...bars.map(b => b.end));
  let view = [0, end];
  const svg = svgEl("svg", { width, height, class: "sl-gantt", "data-bars": bars.length }, el);
  const axis = svgEl("g", {}, svg), body = svgEl("g", {}, svg);
  rows.forEach((r, i) => {
    const t = svgEl("text", { x: 4, y: top + i * rowH + 15, class: "sl-label" }, svg);
    t.textContent = r;
  });
  const tip = tooltip(el);
  function x(t) { return left + (t - view[0]) / (view[1] - view[0]) * (width - left - 10); }
  function draw() {
    body.innerHTML = ""; axis.innerHTML = "";
    const step = niceStep(view[1] - view[0], 10);
    for (let t = Math.ceil(view[0] / step) * step; t <= view[1]; t += step) {
      svgEl("line", { x1: x(t), x2: x(t), y1: top, y2: height - bottom, class: "sl-grid" }, axis);
      const lab = svgEl("text", { x: x(t), y: height - 8, class: "sl-tick", "text-anchor": "middle" }, axis);
      lab.textContent = +t.toFixed(6);
    }
    for (const b of bars) {
      if (b.end < view[0] || b.start > view[1]) continue;
      const x0 = Math.max(left, x(b.start)), x1 = Math.min(width - 10, x(b.end));
      const r = svgEl("rect", { x: x0, y: top + b.row * rowH + 2, width: Math.max(1, x1 - x0), height: rowH - 4,
        fill: colour(b.colour), class: "sl-bar", "data-label": b.label }, body);
      r.addEventListener("mousemove", ev => {
        tip.style.display = "block"; tip.style.left = (ev.offsetX + 12) + "px"; tip.style.top = (ev.offsetY + 12) + "px";
        tip.textContent = `${b.label}: ${b.start} - ${b.end}`;
      });
      r.addEventListener("mouseleave", () => { tip.style.display = "none"; });
    }
  }
  svg.addEventListener("wheel", ev => {
    ev.preventDefault();
    const t = view[0] + (ev.offsetX - left) / (width - left - 10) * (view[1] - view[0]);
    const f = ev.deltaY < 0 ? 0.8 : 1.25;
    view = [Math.max(0, t - (t - view[0]) * f), Math.min(end, t + (view[1] - t) * f)];
    if (view[1] - view[0] < 1e-9) view[1] = view[0] + 1e-9;
    draw();
  });
  let drag = null;
  svg.addEventListener("mousedown", ev => { drag = [ev.offsetX, view.slice()]; });
  window.addEventListener("mouseup", () => { drag = null; });
  svg.addEventListener("mousemove", ev => {
    if (!drag) return;
    const dt = (drag[0] - ev.offsetX) / (width - left - 10) * (drag[1][1] - drag[1][0]);
    view = [drag[1][0] + dt, drag[1][1] + dt];
    draw();
  });
  draw();
  return svg;
}

export function line(el, series, opts = {}) {
  el.innerHTML = "";
  el.style.position = "relative";
  const width = opts.width || el.clientWidth || 600, height = opts.height || 220, l = 56, r = 12, t = 10, b = 30;
  const pts = series.flatMap(s => s.points);
  if (!pts.length) { el.textContent = opts.empty || "no data"; return null; }
  const xs = pts.map(p => p[0]), ys = pts.map(p => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1e-9), y0 = Math.min(...ys), y1 = Math.max(...ys, y0 + 1e-9);
  const X = v => l + (v - x0) / (x1 - x0) * (width - l - r), Y = v => height - b - (v - y0) / (y1 - y0) * (height - t - b);
  const svg = svgEl("svg", { width, height, class: "sl-line" }, el);
  const xs_ = niceStep(x1 - x0, 6), ys_ = niceStep(y1 - y0, 5);
  for (let v = Math.ceil(x0 / xs_) * xs_; v <= x1; v += xs_) {
    svgEl("line", { x1: X(v), x2: X(v), y1: t, y2: height - b, class: "sl-grid" }, svg);
    svgEl("text", { x: X(v), y: height - 10, class: "sl-tick", "text-anchor": "middle" }, svg).textContent = +v.toFixed(4);
  }
  for (let v = Math.ceil(y0 / ys_) * ys_; v <= y1; v += ys_) {
    svgEl("line", { x1: l, x2: width - r, y1: Y(v), y2: Y(v), class: "sl-grid" }, svg);
    svgEl("text", { x: l - 6, y: Y(v) + 4, class: "sl-tick", "text-anchor": "end" }, svg).textContent = +v.toFixed(4);
  }
  series.forEach((s, k) => {
    // opts.step: hold each value until the next point (an incumbent stays until it is improved)
    const d = s.points.map((p, i) => (i === 0 ? `M${X(p[0])},${Y(p[1])}`
      : opts.step ? `H${X(p[0])} V${Y(p[1])}` : `L${X(p[0])},${Y(p[1])}`)).join(" ");
    svgEl("path", { d, fill: "none", stroke: colour(k * 3 + 1), "stroke-width": 2, class: "sl-series", "data-name": s.name }, svg);
  });
  if (series.length > 1) series.forEach((s, k) => {  // legend, top right
    const y = t + 12 + 14 * k;
    svgEl("line", { x1: width - r - 110, x2: width - r - 92, y1: y - 4, y2: y - 4, stroke: colour(k * 3 + 1), "stroke-width": 2 }, svg);
    svgEl("text", { x: width - r - 88, y, class: "sl-tick sl-legend" }, svg).textContent = s.name;
  });
  if (opts.xlabel) svgEl("text", { x: width / 2, y: height - 0, class: "sl-tick", "text-anchor": "middle" }, svg).textContent = opts.xlabel;
  return svg;
}

export function cdf(el, samples, opts = {}) {
  const series = Object.entries(samples).map(([name, values]) => {
    const v = values.slice().sort((a, b) => a - b);
    return { name, points: v.map((x, i) => [x, (i + 1) / v.length]) };
  });
  return line(el, series, opts);
}
