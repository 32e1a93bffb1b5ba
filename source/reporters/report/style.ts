/** The report's stylesheet: system fonts only (nothing to fetch), readable on screen and on paper. */
export const style = `
*{box-sizing:border-box}
body{margin:0;background:#f1f5f9;color:#0f172a;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:0 24px 48px}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f5f9;border-radius:4px;padding:1px 4px;overflow-wrap:anywhere}
h2{font-size:17px;margin:32px 0 12px;font-weight:650}
.card h2{margin-top:0}
h3{font-size:13px;margin:16px 0 6px;color:#475569;font-weight:600}
.top{background:#0f172a;color:#e2e8f0;padding:28px 24px 22px}
.top>*{max-width:1132px;margin-left:auto;margin-right:auto}
.brand{margin-top:0;margin-bottom:4px;font-size:12px;letter-spacing:.08em;text-transform:uppercase;color:#94a3b8}
.top h1{margin-top:0;margin-bottom:6px;font-size:22px;font-weight:650}
.top .target{font-weight:400;color:#cbd5e1;overflow-wrap:anywhere}
.meta{margin-bottom:0;color:#94a3b8;font-size:13px}
.verdict{margin:20px 0;padding:14px 18px;border-radius:10px;border:1px solid;display:grid;grid-template-columns:auto 1fr;column-gap:16px;align-items:baseline}
.verdict p{margin:0}
.verdict-title{font-size:20px;font-weight:700;grid-row:span 2}
.verdict-detail{font-weight:550}
.verdict-facts{color:#475569;font-size:13px}
.verdict-pass{background:#f0fdf4;border-color:#86efac}.verdict-pass .verdict-title{color:#15803d}
.verdict-fail{background:#fef2f2;border-color:#fca5a5}.verdict-fail .verdict-title{color:#b91c1c}
.verdict-warn{background:#fffbeb;border-color:#fcd34d}.verdict-warn .verdict-title{color:#b45309}
.verdict-neutral{background:#fff;border-color:#cbd5e1}.verdict-neutral .verdict-title{color:#334155}
.tiles{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}
.tile,.card,.chart-card,.chart-empty{background:#fff;border:1px solid #e2e8f0;border-radius:10px}
.tile{padding:12px 14px}
.tile p{margin:0}
.tile-label{font-size:12px;color:#64748b;text-transform:uppercase;letter-spacing:.04em}
.tile-value{font-size:24px;font-weight:650;font-variant-numeric:tabular-nums;margin:2px 0 !important}
.tile-value small{font-size:15px;color:#64748b;font-weight:500}
.tile-sub{font-size:12.5px;color:#64748b}
.two{display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-top:24px;align-items:start}
.card{padding:16px 18px}
.chart-grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.chart-card{margin:0;padding:12px 14px 10px;min-width:0}
.chart-card figcaption,.figcaption-like{display:flex;justify-content:space-between;align-items:center;font-weight:600;font-size:13px;margin:0 0 6px;color:#334155}
.chart{display:block;width:100%;height:auto}
.chart .grid{stroke:#e2e8f0;stroke-width:1}
.chart .axis{stroke:#94a3b8;stroke-width:1}
.chart .tick{font-size:11px;fill:#64748b;font-family:inherit}
.chart .hover rect{fill:transparent}
.chart .hover rect:hover{fill:#e2e8f0;fill-opacity:.45}
.chart-note{margin:4px 0 0;font-size:12px;color:#64748b}
.chart-empty,.empty{color:#64748b;font-style:italic}
.chart-empty{padding:28px;text-align:center}
.legend{list-style:none;margin:0;padding:0;display:flex;gap:12px;font-weight:400;font-size:12px;color:#475569}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
table{border-collapse:collapse;width:100%}
.kv th{text-align:left;font-weight:500;color:#475569;padding:5px 12px 5px 0;vertical-align:top;white-space:nowrap;width:38%}
.kv td{padding:5px 0;font-variant-numeric:tabular-nums}
.kv tr+tr>*{border-top:1px solid #f1f5f9}
.grid-table{font-size:13px}
.grid-table th,.grid-table td{padding:6px 5px;border-bottom:1px solid #e2e8f0;text-align:left}
.grid-table thead th{font-size:12px;color:#64748b;font-weight:600}
.n{text-align:right !important;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600}
.badge-pass{background:#dcfce7;color:#166534}.badge-fail{background:#fee2e2;color:#991b1b}
tr.fail td{background:#fff7f7}
.states{display:flex;flex-wrap:wrap;gap:6px;margin:0}
.state{font-size:12px;white-space:nowrap}
p.states .state{padding:2px 8px;border-radius:999px;background:#f1f5f9;color:#334155}
.state-open{color:#15803d !important}.state-failed{color:#b91c1c !important}.state-reconnecting,.state-connecting{color:#b45309 !important}
.table-wrap{background:#fff;border:1px solid #e2e8f0;border-radius:10px;overflow:auto;max-height:720px}
#clients{font-size:12.5px}
#clients th,#clients td{padding:5px 10px;border-bottom:1px solid #f1f5f9;white-space:nowrap}
#clients thead th{position:sticky;top:0;background:#f8fafc;border-bottom:1px solid #e2e8f0;z-index:1}
#clients th button{all:unset;cursor:pointer;font-weight:600;color:#334155}
#clients th button::after{content:"\\2195";color:#cbd5e1;margin-left:4px;font-size:11px}
#clients th[aria-sort=ascending] button::after{content:"\\25B2";color:#2563eb}
#clients th[aria-sort=descending] button::after{content:"\\25BC";color:#2563eb}
#clients td.none{color:#cbd5e1}
#clients td.error-text{max-width:360px;overflow:hidden;text-overflow:ellipsis;color:#b91c1c}
#clients tbody tr:hover td{background:#f8fafc}
.table-note{font-size:12.5px;color:#64748b;margin:0 0 8px}
footer{margin-top:32px;font-size:12px;color:#94a3b8}
@media (max-width:860px){.tiles{grid-template-columns:repeat(2,1fr)}.two,.chart-grid{grid-template-columns:1fr}}
@media print{body{background:#fff}.top{background:#fff;color:#0f172a;padding:0 0 8px}.top .target,.meta,.brand{color:#475569}.table-wrap{max-height:none;overflow:visible}.chart-card,.card,.tile{break-inside:avoid}h2{break-after:avoid}}
`;
