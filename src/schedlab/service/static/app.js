// The dashboard: submit jobs, watch them, and look at a finished job's Gantt chart and curves.
"use strict";
import { gantt, line, cdf } from "./charts.js";

const api = (path, opts) => fetch(path, opts).then(async r => {
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail || body));
  return body;
});
const $ = id => document.getElementById(id);
const results = new Map();
let selected = null;

async function loadRegistries() {
  const reg = await api("/registries");
  $("solver").innerHTML = reg.solvers.map(s => `<option ${s === "auto" ? "selected" : ""}>${s}</option>`).join("");
  $("domain").innerHTML = Object.keys(reg.simulations).map(d => `<option>${d}</option>`).join("");
  const showParams = () => { $("params").value = JSON.stringify(reg.simulations[$("domain").value].parameters, null, 1); };
  $("domain").onchange = showParams;
  showParams();
}

async function submitSolve() {
  $("solve-error").textContent = "";
  const solvers = [...$("solver").selectedOptions].map(o => o.value);
  const file = $("upload").files[0];
  const base = { time_limit: +$("time_limit").value, seed: +$("seed").value };
  if (file) { base.text = await file.text(); base.filename = file.name; } else { base.instance = $("instance").value.trim(); }
  try {
    for (const solver of solvers.length ? solvers : ["auto"]) {
      await api("/jobs/solve", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...base, solver }) });
    }
  } catch (e) { $("solve-error").textContent = e.message; }
  refresh();
}

async function submitSim() {
  $("sim-error").textContent = "";
  try {
    const params = JSON.parse($("params").value || "{}");
    await api("/jobs/simulate", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ domain: $("domain").value, params }) });
  } catch (e) { $("sim-error").textContent = e.message; }
  refresh();
}

function what(job) {
  if (job.kind === "solve") return `${job.spec.instance || job.spec.filename} / ${job.spec.solver}`;
  if (job.kind === "simulate") return `${job.spec.domain} / ${job.spec.params.policy || "default"}`;
  return `${job.spec.suite} sweep`;
}
const fmt = v => (v === null || v === undefined) ? "" : (typeof v === "number" ? +v.toFixed(4) : v);

async function refresh() {
  const { jobs } = await api("/jobs?limit=50");
  for (const job of jobs) if (job.status === "done" && job.kind === "solve" && !results.has(job.id)) {
    results.set(job.id, await api(`/jobs/${job.id}/result`));
  }
  $("jobs").querySelector("tbody").innerHTML = jobs.map(job => {
    const r = results.get(job.id) || {};
    return `<tr data-id="${job.id}" class="${job.id === selected ? "sel" : ""}"><td>${job.id}</td><td>${job.kind}</td><td>${what(job)}</td>
      <td class="status-${job.status}">${job.status}</td><td>${job.progress === null ? "" : Math.round(job.progress * 100) + "%"}</td>
      <td>${fmt(job.incumbent)}</td><td class="objective">${fmt(r.objective)}</td><td>${fmt(r.best_known)}</td>
      <td>${r.gap_pct === null || r.gap_pct === undefined ? "" : r.gap_pct.toFixed(2) + "%"}</td></tr>`;
  }).join("");
  for (const tr of $("jobs").querySelectorAll("tbody tr")) tr.onclick = () => show(+tr.dataset.id);
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
  if (job.kind === "solve") files.push(["Gantt PNG", `/jobs/${id}/gantt.png`], ["Gantt SVG", `/jobs/${id}/gantt.svg`]);
  for (const name of plots) files.push([`${name} PNG`, `/jobs/${id}/plots/${name}.png`]);
  $("downloads").innerHTML = "download: " + files.map(([label, href]) => `<a href="${href}" target="_blank">${label}</a>`).join(" · ");
  if (job.kind === "solve") {
    $("summary").innerHTML = `objective <b id="detail-objective">${r.objective}</b> (${r.status}), lower bound ${fmt(r.lower_bound)},
      best known ${fmt(r.best_known)}, ${r.schedule.length} tasks, ${fmt(r.runtime_s)} s`;
    const rows = r.machines.length ? r.machines : [...new Set(r.schedule.flatMap(t => t.resources))].map(String);
    const bars = r.schedule.flatMap(t => (t.resources.length ? t.resources : [0]).map(m => ({ row: m, start: t.start, end: t.end,
      colour: t.job, label: t.name || `J${t.job}.T${t.task}` })));
    gantt($("gantt"), rows, bars);
    const curve = r.objective_curve.length ? [...r.objective_curve, [r.runtime_s, r.objective_curve.at(-1)[1]]] : [];
    line($("curve"), [{ name: "incumbent", points: curve }], { empty: "no incumbent curve (single schedule)", xlabel: "seconds", step: true });
  } else if (job.kind === "simulate") {
    const keys = Object.keys(r).filter(k => typeof r[k] !== "object");
    $("summary").innerHTML = `<div class="metrics">${keys.map(k => `<div><span>${k}</span><b>${fmt(r[k])}</b></div>`).join("")}</div>`;
    if (r.samples) cdf($("latency"), r.samples, { xlabel: "seconds (latency CDF)" });
  } else {
    $("summary").innerHTML = `<table><tr><th>instance</th><th>solver</th><th>objective</th><th>best known</th><th>gap</th></tr>${
      r.rows.map(x => `<tr><td>${x.instance}</td><td>${x.solver}</td><td>${fmt(x.objective)}</td><td>${fmt(x.best_known)}</td>
      <td>${x.gap_pct === null ? "" : x.gap_pct.toFixed(2) + "%"}</td></tr>`).join("")}</table>`;
  }
  refresh();
}

$("submit-solve").onclick = submitSolve;
$("submit-sim").onclick = submitSim;
loadRegistries().then(refresh);
setInterval(refresh, 1000);
