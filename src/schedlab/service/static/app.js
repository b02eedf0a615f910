// The dashboard: submit jobs, watch them, and look at a finished job's Gantt chart and curves.
// The simulation form is built from /registries (the domains' own declarations); polling asks
// only for the jobs that changed; a service started with --token gets the token once (stored here).
"use strict";
import { gantt, line, cdf } from "./charts.js";

const $ = id => document.getElementById(id);
const jobs = new Map();
const results = new Map();
let selected = null, since = null, registry = null;

function headers(extra = {}) {
  const token = localStorage.getItem("schedlab-token");
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

async function api(path, opts = {}, retried = false) {
  const r = await fetch(path, { ...opts, headers: headers(opts.headers || {}) });
  if (r.status === 401 && !retried) {
    const token = window.prompt("This schedlab service needs its access token:");
    if (token) { localStorage.setItem("schedlab-token", token.trim()); return api(path, opts, true); }
  }
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    const d = body.detail;
    throw new Error(typeof d === "string" ? d : Array.isArray(d) ? d.map(e => `${e.loc.slice(1).join(".")}: ${e.msg}`).join("; ")
      : JSON.stringify(body));
  }
  return body;
}

const post = (path, body) => api(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const esc = s => String(s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

function fieldInput(f, prefix) {
  const id = `${prefix}-${f.name}`;
  const title = esc(`${f.help}${f.unit ? " (" + f.unit + ")" : ""}`);
  let input;
  if (f.choices) {
    const opts = (f.optional ? ['<option value="">(default)</option>'] : []).concat(
      f.choices.map(c => `<option ${c === f.default ? "selected" : ""}>${esc(c)}</option>`));
    input = `<select id="${id}" data-name="${f.name}" data-type="${f.type}">${opts.join("")}</select>`;
  } else if (f.type === "bool") {
    input = `<input id="${id}" type="checkbox" data-name="${f.name}" data-type="bool" ${f.default ? "checked" : ""}>`;
  } else {
    const bounds = ["ge", "gt"].filter(k => f[k] !== undefined).map(k => `min="${f[k]}"`).concat(
      ["le", "lt"].filter(k => f[k] !== undefined).map(k => `max="${f[k]}"`)).join(" ");
    const value = f.default === null ? "" : f.default;
    input = `<input id="${id}" type="${f.type === "str" ? "text" : "number"}" step="any" ${bounds} value="${esc(value)}"
      placeholder="${f.optional ? "default" : ""}" data-name="${f.name}" data-type="${f.type}">`;
  }
  return `<label for="${id}" title="${title}">${esc(f.name)}</label>${input}`;
}

function buildSimForm() {
  const d = registry.simulations[$("domain").value];
  $("policy").innerHTML = Object.keys(d.policies).map(p => `<option ${p === d.default_policy ? "selected" : ""}>${esc(p)}</option>`).join("");
  const showOptions = () => {
    const p = d.policies[$("policy").value];
    $("policy-help").textContent = p.description;
    $("policy-options").innerHTML = p.options.map(f => fieldInput(f, "opt")).join("");
  };
  $("policy").onchange = showOptions;
  showOptions();
  $("sim-fields").innerHTML = d.fields.map(f => fieldInput(f, "param")).join("");
}

function formValues(container) {
  const out = {};
  for (const el of container.querySelectorAll("[data-name]")) {
    const t = el.dataset.type;
    if (t === "bool") { out[el.dataset.name] = el.checked; continue; }
    if (el.value === "") continue;
    out[el.dataset.name] = t === "int" ? parseInt(el.value, 10) : t === "float" ? parseFloat(el.value) : el.value;
  }
  return out;
}

async function loadRegistries() {
  registry = await api("/registries");
  $("solver").innerHTML = registry.solvers.map(s => `<option ${s === "auto" ? "selected" : ""}>${esc(s)}</option>`).join("");
  $("domain").innerHTML = Object.keys(registry.simulations).map(d => `<option>${esc(d)}</option>`).join("");
  $("domain").onchange = buildSimForm;
  buildSimForm();
}

async function submitSolve() {
  $("solve-error").textContent = "";
  const solvers = [...$("solver").selectedOptions].map(o => o.value);
  const file = $("upload").files[0];
  const base = { time_limit: +$("time_limit").value, seed: +$("seed").value };
  try {
    if (file) {
      const up = await post("/uploads", { name: file.name, text: await file.text() });
      base.upload = up.id; base.filename = file.name;
    } else { base.instance = $("instance").value.trim(); }
    for (const solver of solvers.length ? solvers : ["auto"]) await post("/jobs/solve", { ...base, solver });
  } catch (e) { $("solve-error").textContent = e.message; }
  refresh();
}

async function submitSim() {
  $("sim-error").textContent = "";
  const params = { ...formValues($("sim-fields")), ...formValues($("policy-options")), policy: $("policy").value,
    seed: +$("sim-seed").value };
  try { await post("/jobs/simulate", { domain: $("domain").value, params }); } catch (e) { $("sim-error").textContent = e.message; }
  refresh();
}

function what(job) {
  if (job.kind === "solve") return `${job.spec.instance || job.spec.filename || "upload"} / ${job.spec.solver}`;
  if (job.kind === "simulate") return `${job.spec.domain} / ${(job.spec.params || {}).policy || "default"}`;
  return `${job.spec.suite} sweep`;
}
const fmt = v => (v === null || v === undefined) ? "" : (typeof v === "number" ? +v.toFixed(4) : v);

async function refresh() {
  const query = since === null ? "/jobs?limit=50" : `/jobs?limit=200&changed_since=${since}`;
  const page = await api(query);
  since = page.now;
  for (const job of page.jobs) jobs.set(job.id, job);
  const shown = [...jobs.values()].sort((a, b) => b.id - a.id).slice(0, 50);
  for (const job of shown) if (job.status === "done" && job.kind === "solve" && !results.has(job.id)) {
    results.set(job.id, await api(`/jobs/${job.id}/result`));
  }
  $("jobs").querySelector("tbody").innerHTML = shown.map(job => {
    const r = results.get(job.id) || {};
    return `<tr data-id="${job.id}" class="${job.id === selected ? "sel" : ""}"><td>${job.id}</td><td>${job.kind}</td><td>${esc(what(job))}</td>
      <td class="status-${job.status}">${job.status}</td><td>${job.progress === null ? "" : Math.round(job.progress * 100) + "%"}</td>
      <td>${fmt(job.incumbent)}</td><td class="objective">${fmt(r.objective)}</td><td>${fmt(r.best_known)}</td>
      <td>${r.gap_pct === null || r.gap_pct === undefined ? "" : r.gap_pct.toFixed(2) + "%"}</td></tr>`;
  }).join("");
  for (const tr of $("jobs").querySelectorAll("tbody tr")) tr.onclick = () => show(+tr.dataset.id);
}

function downloadLinks(files) {
  $("downloads").innerHTML = "download: " + files.map(([label, href]) => `<a href="${href}" target="_blank">${esc(label)}</a>`).join(" · ");
  if (!localStorage.getItem("schedlab-token")) return;
  for (const a of $("downloads").querySelectorAll("a")) a.onclick = async ev => {  // links cannot carry the token
    ev.preventDefault();
    const r = await fetch(a.getAttribute("href"), { headers: headers() });
    window.open(URL.createObjectURL(await r.blob()), "_blank");
  };
}

function showSimulation(r) {
  const units = r.units || {};
  $("summary").innerHTML = `<div class="metrics">${Object.entries(r.metrics || {}).map(([k, v]) =>
    `<div><span>${esc(k)}</span><b>${fmt(v)}${units[k] ? " " + esc(units[k]) : ""}</b></div>`).join("")}</div>`;
  if (r.samples && Object.keys(r.samples).length) cdf($("latency"), r.samples, { xlabel: "CDF of the samples" });
  const spans = (r.spans || []).slice().sort((a, b) => a[1] - b[1]).slice(0, 3000);
  if (spans.length) {
    const rows = [...new Set(spans.map(s => s[0]))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    const groups = [...new Set(spans.map(s => s[4]))];
    gantt($("gantt"), rows, spans.map(s => ({ row: rows.indexOf(s[0]), start: s[1], end: s[2], colour: groups.indexOf(s[4]),
      label: s[3] || s[4] })));
  }
}

async function show(id) {
  selected = id;
  const job = await api(`/jobs/${id}`);
  $("detail-title").textContent = `Job ${id}: ${what(job)} (${job.status})`;
  ["summary", "downloads", "gantt", "curve", "latency"].forEach(k => { $(k).innerHTML = ""; });
  if (job.status !== "done") { $("summary").textContent = job.error || "not finished yet"; return; }
  const r = await api(`/jobs/${id}/result`);
  const { plots } = await api(`/jobs/${id}/plots`);
  const files = [["result.json", `/jobs/${id}/result`], ["CSV", `/jobs/${id}/result.csv`]];
  if (job.kind === "solve" || (r.spans || []).length) files.push(["Gantt PNG", `/jobs/${id}/gantt.png`], ["Gantt SVG", `/jobs/${id}/gantt.svg`]);
  if (job.kind === "simulate") files.push(["report", `/jobs/${id}/report.html`]);
  for (const name of plots) files.push([`${name} PNG`, `/jobs/${id}/plots/${name}.png`]);
  downloadLinks(files);
  if (job.kind === "solve") {
    $("summary").innerHTML = `objective <b id="detail-objective">${r.objective}</b> (${r.status}), lower bound ${fmt(r.lower_bound)},
      best known ${fmt(r.best_known)}, ${r.schedule.length} tasks, ${fmt(r.runtime_s)} s`;
    const rows = r.machines.length ? r.machines : [...new Set(r.schedule.flatMap(t => t.resources))].map(String);
    const bars = r.schedule.flatMap(t => (t.resources.length ? t.resources : [0]).map(m => ({ row: m, start: t.start, end: t.end,
      colour: t.job === null ? t.task : t.job, label: t.name || `J${t.job}.T${t.task}` })));
    gantt($("gantt"), rows, bars);
    const curve = r.objective_curve.length ? [...r.objective_curve, [r.runtime_s, r.objective_curve.at(-1)[1]]] : [];
    line($("curve"), [{ name: "incumbent", points: curve }], { empty: "no incumbent curve (single schedule)", xlabel: "seconds", step: true });
  } else if (job.kind === "simulate") {
    showSimulation(r);
  } else {
    $("summary").innerHTML = `<table><tr><th>instance</th><th>solver</th><th>objective</th><th>best known</th><th>gap</th></tr>${
      r.rows.map(x => `<tr><td>${esc(x.instance)}</td><td>${esc(x.solver)}</td><td>${fmt(x.objective)}</td><td>${fmt(x.best_known)}</td>
      <td>${x.gap_pct === null ? "" : x.gap_pct.toFixed(2) + "%"}</td></tr>`).join("")}</table>`;
  }
  refresh();
}

$("submit-solve").onclick = submitSolve;
$("submit-sim").onclick = submitSim;
loadRegistries().then(refresh);
setInterval(refresh, 1000);
