/** The trace view's stylesheet (served as /ui/app.css). System fonts only: nothing is fetched from elsewhere. */
export const APP_CSS = String.raw`
:root { --bg: #fbfbfd; --fg: #1d1c25; --muted: #6e6c7e; --line: #e3e1ea; --accent: #6c5fc7; --err: #e1334b; --row: 24px; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.top { display: flex; align-items: center; gap: 12px; padding: 8px 16px; background: #2b2233; color: #fff; }
.top .brand { color: #fff; font-weight: 600; }
.live { margin-left: auto; font-size: 12px; opacity: .85; }
.live.down { color: #ffb4bf; }
main { padding: 12px 16px; }
h1 { font-size: 18px; margin: 4px 0 2px; }
h2 { font-size: 14px; margin: 18px 0 6px; }
.muted { color: var(--muted); }
.filters { display: flex; gap: 12px; align-items: center; margin: 6px 0 10px; flex-wrap: wrap; }
.filters select { font: inherit; padding: 2px 4px; }
table.traces { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
table.traces th, table.traces td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
table.traces th { font-weight: 600; color: var(--muted); font-size: 12px; }
table.traces tbody tr { cursor: pointer; }
table.traces tbody tr:hover { background: #f3f1fa; }
td.num, th.num { text-align: right; }
.badge { display: inline-block; padding: 0 6px; margin-right: 4px; border-radius: 8px; font-size: 11px; line-height: 17px; background: #ebe8f5; color: #4b4270; }
.badge.error { background: #fde4e8; color: var(--err); }
.badge.problem { background: #fff1d6; color: #8a5a00; }
.badge.unsampled { background: #eee; color: #555; }
.chip { display: inline-block; width: 9px; height: 9px; border-radius: 2px; margin-right: 5px; vertical-align: baseline; }
.meta { display: flex; gap: 16px; flex-wrap: wrap; color: var(--muted); }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) 380px; gap: 14px; align-items: start; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 4px; }
ul.panel { list-style: none; margin: 0; padding: 6px 10px; }
.wf-head { display: grid; grid-template-columns: 44% 56%; border-bottom: 1px solid var(--line); font-size: 11px; color: var(--muted); }
.wf-axis { position: relative; height: 20px; }
.wf-axis span { position: absolute; top: 3px; white-space: nowrap; }
.wf-scroll { position: relative; overflow: auto; max-height: 620px; }
.wf-row { position: absolute; left: 0; right: 0; height: var(--row); display: grid; grid-template-columns: 44% 56%; cursor: pointer; border-bottom: 1px solid #f2f1f6; }
.wf-row:hover { background: #f6f5fb; }
.wf-row.selected { background: #e9e5fb; }
.wf-row.hop { box-shadow: inset 3px 0 0 var(--hop, #999); }
.wf-name { overflow: hidden; white-space: nowrap; text-overflow: ellipsis; padding: 3px 6px; }
.wf-name .agent { font-size: 11px; color: #4b4270; background: #efecfa; border-radius: 3px; padding: 0 4px; margin-left: 6px; }
.wf-name .hopmark { font-size: 11px; color: var(--muted); margin-left: 6px; }
.wf-name .errmark { color: var(--err); font-weight: 700; margin-right: 4px; }
.wf-name .guide { display: inline-block; }
.wf-bar-cell { position: relative; }
.wf-bar { position: absolute; top: 6px; height: 12px; border-radius: 2px; min-width: 2px; }
.wf-bar.error { outline: 2px solid var(--err); }
.wf-dur { position: absolute; top: 4px; font-size: 11px; color: var(--muted); white-space: nowrap; }
.detail { position: sticky; top: 8px; padding: 10px 12px; max-height: calc(100vh - 24px); overflow: auto; }
.detail h3 { font-size: 14px; margin: 0 0 6px; word-break: break-all; }
.detail h4 { font-size: 12px; margin: 12px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
table.kv { border-collapse: collapse; width: 100%; }
table.kv td { vertical-align: top; padding: 2px 4px; border-bottom: 1px solid #f2f1f6; }
table.kv td:first-child { color: var(--muted); width: 42%; word-break: break-all; }
table.kv td:last-child { word-break: break-all; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
.graph { padding: 6px; overflow: auto; }
.graph svg text { font-size: 12px; fill: var(--fg); }
.graph .node rect { fill: #fff; stroke: var(--accent); stroke-width: 1.5; rx: 6; }
.graph .edge path { fill: none; stroke: #8a83b5; stroke-width: 1.5; }
.graph .edge.message path { stroke-dasharray: 5 3; }
.graph .edge text { font-size: 11px; fill: var(--muted); }
.event { padding: 8px 12px; border-bottom: 1px solid var(--line); }
.event .title { color: var(--err); font-weight: 600; }
.event pre { margin: 6px 0 0; white-space: pre-wrap; word-break: break-all; color: #333; }
button.link { font: inherit; border: 0; background: none; color: var(--accent); cursor: pointer; padding: 0; }
button.link:hover { text-decoration: underline; }
.note { margin: 6px 0; color: var(--muted); }
@media (max-width: 1000px) { .layout { grid-template-columns: 1fr; } .detail { position: static; max-height: none; } }
`;
