/**
 * The dashboard's only static assets, served from /ui/ so the pages can run under a strict Content-Security-Policy
 * (no inline script or style). The script is progressive: without it the pages are complete, just not live.
 */

export const DASHBOARD_CSS = `
:root { color-scheme: light; --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #f9fafb; --accent: #2563eb; --red: #dc2626; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; align-items: center; padding: .75rem 1.5rem; background: #111827; color: #fff; }
header a, header button { color: #e5e7eb; text-decoration: none; background: none; border: 0; font: inherit; cursor: pointer; padding: 0; }
header nav { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; }
header nav a.active { color: #fff; text-decoration: underline; text-underline-offset: 4px; }
header .brand { font-weight: 600; color: #fff; }
header form { margin-left: auto; }
main { padding: 1rem 1.5rem 2rem; max-width: 1400px; }
footer { padding: 0 1.5rem 2rem; font-size: .85rem; }
h1 { font-size: 1.3rem; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.05rem; margin: 1.75rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; font-size: .85rem; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.error { color: #b91c1c; max-width: 28rem; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: .8rem; background: #e5e7eb; white-space: nowrap; }
.badge.healthy, .badge.idle, .badge.succeeded, .badge.closed, .badge.resolved, .badge.canonical { background: #dcfce7; color: #166534; }
.badge.partial { background: #fef9c3; color: #854d0e; }
.badge.degraded, .badge.queued, .badge.syncing, .badge.running, .badge.half_open, .badge.open-conflict { background: #fef9c3; color: #854d0e; }
.badge.unhealthy, .badge.failing, .badge.auth_failed, .badge.failed, .badge.open, .badge.not_found { background: #fee2e2; color: #991b1b; }
.checks { display: flex; gap: .75rem; flex-wrap: wrap; margin: 0; padding: 0; list-style: none; }
.checks li { background: #fff; border: 1px solid var(--line); padding: .4rem .7rem; border-radius: 6px; }
.notice { padding: .5rem .75rem; border-radius: 6px; border: 1px solid var(--line); background: #fff; }
.notice.ok { border-color: #86efac; background: #f0fdf4; }
.notice.error { border-color: #fca5a5; background: #fef2f2; }
button, .button-link { font: inherit; padding: .3rem .7rem; border-radius: 4px; border: 1px solid #cbd5e1; background: #fff; color: var(--fg); cursor: pointer; text-decoration: none; display: inline-block; }
button.danger { border-color: #fca5a5; color: #991b1b; }
form.inline { display: inline-block; margin: 0 .25rem .25rem 0; }
.actions { display: flex; flex-wrap: wrap; gap: .25rem .5rem; align-items: center; margin: .75rem 0; }
td.actions { margin: 0; }
form.register { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: 0 0 .75rem; }
form.register input { font: inherit; padding: .3rem .5rem; width: 9rem; }
form.remove label { margin-right: .5rem; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 460px), 1fr)); gap: 1rem; }
.plot { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; min-width: 0; }
.plot figcaption { font-weight: 600; margin-bottom: .25rem; }
.plot svg { width: 100%; height: auto; font-size: 11px; }
.plot .grid { stroke: var(--line); }
.plot .axis text { fill: var(--muted); }
.plot .x-axis line { stroke: #9ca3af; }
.plot .bar { fill: var(--accent); }
.plot .gauge-track { fill: #f3f4f6; stroke: var(--line); }
.plot .plot-empty { fill: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: .25rem 0 0; padding: 0; font-size: .85rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: -1px; border-radius: 2px; }
.swatch.s0 { background: #2563eb; } .swatch.s1 { background: #16a34a; } .swatch.s2 { background: #9333ea; } .swatch.s3 { background: #ea580c; }
.swatch.s4 { background: #0891b2; } .swatch.s5 { background: #a16207; } .swatch.s6 { background: #db2777; } .swatch.s7 { background: #4b5563; }
.swatch.failed { background: var(--red); border-radius: 50%; }
progress { width: 10rem; max-width: 100%; vertical-align: middle; }
.login { max-width: 24rem; margin: 4rem auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1.5rem; }
.login input { width: 100%; padding: .5rem; font: inherit; margin: .5rem 0 1rem; }
.login button { padding: .5rem 1rem; font: inherit; background: var(--accent); color: #fff; border: 0; border-radius: 4px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; background: #fff; border: 1px solid var(--line); padding: .75rem 1rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
nav.pager, nav.tabs { margin: .5rem 0; display: flex; gap: 1rem; flex-wrap: wrap; }
nav.tabs a.active { font-weight: 600; text-decoration: none; color: var(--fg); }
ul.fields { margin: 0; padding-left: 1rem; }
ul.fields .field { font-weight: 600; margin-right: .35rem; }
del { background: #fee2e2; color: #7f1d1d; margin-right: .35rem; overflow-wrap: anywhere; }
ins { background: #dcfce7; color: #14532d; text-decoration: none; overflow-wrap: anywhere; }
.compare { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr)); gap: 1rem; }
.compare .side { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; min-width: 0; }
.compare h2 { margin: .25rem 0 .5rem; font-size: 1rem; }
pre.text { white-space: pre-wrap; overflow-wrap: anywhere; font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; margin: 0; max-height: 70vh; overflow: auto; }
/* Phones: tables become one card per row, each cell labelled by its column. */
@media (max-width: 720px) {
  header { padding: .6rem 1rem; }
  main { padding: .75rem 1rem 2rem; }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
  table.stack thead { display: none; }
  table.stack { border: 0; background: none; }
  table.stack tr { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin-bottom: .5rem; padding: .25rem 0; }
  table.stack td { border: 0; padding: .2rem .75rem; text-align: left; }
  table.stack td::before { content: attr(data-label); display: inline-block; min-width: 7.5rem; color: var(--muted); font-size: .8rem; }
  table.stack td.num { text-align: left; }
  .error { max-width: none; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dt { margin-top: .35rem; }
}
`;

/** A tiny icon, so browsers do not ask for /favicon.ico. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#2563eb"/>' +
  '<path d="M4 8h8M8 4v8" stroke="#fff" stroke-width="2"/></svg>';

export const DASHBOARD_JS = `
// Live progress: every 2 s, refresh each running job's bar from the status API; reload when one has finished.
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-live-course]"));
  if (rows.length === 0) return;
  function json(url) {
    return fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } }).then(function (r) {
      return r.ok ? r.json() : null;
    });
  }
  function update(row) {
    var course = row.getAttribute("data-live-course");
    var job = row.getAttribute("data-live-job");
    return json("/api/courses/" + course).then(function (detail) {
      var running = detail && detail.runningJob;
      if (running && running.jobId === job) {
        var bar = row.querySelector("progress");
        bar.max = Math.max(1, running.total);
        bar.value = running.done;
        row.querySelector("[data-live-text]").textContent = running.done + " / " + running.total;
        return false;
      }
      return json("/api/jobs/" + job).then(function (state) {
        return !!state && (state.status === "succeeded" || state.status === "partial" || state.status === "failed");
      });
    });
  }
  function tick() {
    Promise.all(rows.map(update)).then(function (finished) {
      if (finished.some(Boolean)) location.reload();
      else setTimeout(tick, 2000);
    }, function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 2000);
})();
`;
