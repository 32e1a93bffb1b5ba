import {broadcast, latency, overTime} from './chart-sections.js';
import {streamSection} from './stream-section.js';
import {serverSide} from './server-section.js';
import {comparisonSection} from './compare-section.js';
import {agentsSection} from './agents-section.js';
import {clientColumns, clientTable, defaultRowCap} from './client-table.js';
import {escapeHtml, jsonForScript, redactUrl} from './escape.js';
import {formatCount} from './format.js';
import type {ReportInput} from './input.js';
import {delivery, errorsByKind, header, protocolLabel, settings, thresholds, tiles, verdict} from './sections.js';
import {style} from './style.js';
import {tableScript} from './table-script.js';

export type {ReportInput} from './input.js';

/**
 * The whole report as one HTML document: inline CSS, SVG charts drawn here, the summary and
 * the client rows as JSON, and one small script for the sortable table. It fetches nothing;
 * the Content-Security-Policy says so to the browser as well.
 */
export function renderReport(input: ReportInput): string {
	const summary = {...input.summary, target: {...input.summary.target, url: redactUrl(input.summary.target.url)}};
	const safe = {...input, summary};
	const table = clientTable(input.rows, input.rowCap ?? defaultRowCap);
	const shown = table.capped
		? `Showing the ${formatCount(table.rows.length)} clients with the most errors, then gaps, then reconnects, then fewest messages, of ${formatCount(table.total)}. The totals above count every client.`
		: `${formatCount(table.total)} client${table.total === 1 ? '' : 's'}. Click a column to sort.`;
	const head = clientColumns.map(column => `<th scope="col" data-key="${column.key}"${column.type === 'number' ? ' class="n"' : ''}><button type="button">${escapeHtml(column.label)}</button></th>`).join('');
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="sse-tui ${escapeHtml(input.version)}">
<title>sse-tui report: ${escapeHtml(protocolLabel(summary.target))} ${escapeHtml(summary.target.url)}</title>
<style>${style}</style>
</head>
<body>
${header(safe)}
<main>
${verdict(summary)}
${comparisonSection(summary)}
${tiles(summary)}
<div class="two">
${settings(safe)}
${errorsByKind(summary)}
</div>
${overTime(summary)}
${latency(safe)}
${broadcast(summary)}
${serverSide(summary)}
${agentsSection(summary)}
${streamSection(summary)}
<div class="two">
${delivery(summary)}
${thresholds(summary)}
</div>
<section>
<h2>Clients</h2>
<p class="table-note" data-clients-total="${table.total}" data-clients-shown="${table.rows.length}">${escapeHtml(shown)}</p>
<div class="table-wrap"><table id="clients"><thead><tr>${head}</tr></thead><tbody></tbody></table></div>
<noscript><p class="empty">The client table needs JavaScript; the rows are in the script element #clients-data of this file.</p></noscript>
</section>
<footer>Self-contained: this file loads nothing from the network. The run's summary (the <code>--json</code> output) is embedded as JSON in <code>script#summary</code>.</footer>
</main>
<script type="application/json" id="summary">${jsonForScript(summary)}</script>
<script type="application/json" id="clients-data">${jsonForScript(table)}</script>
<script>${tableScript}</script>
</body>
</html>
`;
}
