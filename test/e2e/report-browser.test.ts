import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {after, before, describe, test} from 'node:test';
import {clientColumns, type ClientTable} from '../../source/reporters/report/client-table.js';
import {renderReport} from '../../source/reporters/report/html.js';
import type {Summary} from '../../source/reporters/summary.js';
import {chromiumSkip, consoleLines, runChromium} from '../helpers/chromium.js';
import {runCli} from '../helpers/cli.js';
import {startTestServer, type TestServer} from '../helpers/server-start.js';
import {createInput, createRow} from '../reporters/report/factories.js';
import {embeddedJson, shownMetrics, valueAt} from '../reporters/report/page-helpers.js';

/**
 * The report as a person gets it: written by the real CLI after a real run, opened from disk
 * in headless Chromium. `--dump-dom` gives the DOM after the page's script ran; console output
 * (an uncaught error, a load the page's policy blocked) comes on Chromium's stderr.
 *
 * Sorting needs clicks, which --dump-dom cannot make: the test opens a copy of the report with
 * a probe script appended after the page's own. The probe clicks the real header buttons
 * (element.click() dispatches a real click event) and writes the row order it sees into the DOM.
 */
const probe = `<script>
(() => {
	const table = document.getElementById('clients');
	const headers = Array.from(table.tHead.rows[0].cells);
	const column = key => headers.findIndex(cell => cell.dataset.key === key);
	const look = () => ({
		ids: Array.from(table.tBodies[0].rows, row => Number(row.dataset.id)),
		sort: headers.map(cell => cell.getAttribute('aria-sort')).join(','),
	});
	const steps = {initial: look()};
	for (const [name, key] of [['idAgain', 'id'], ['connectMs', 'connectMs'], ['connectMsAgain', 'connectMs'], ['state', 'state'], ['lastEventId', 'lastEventId']]) {
		headers[column(key)].querySelector('button').click();
		steps[name] = look();
	}
	const out = document.createElement('pre');
	out.id = 'probe';
	out.textContent = JSON.stringify(steps);
	document.body.append(out);
})();
</script>`;

type Look = {ids: number[]; sort: string};

async function openInChromium(file: string): Promise<{dom: string; console: string[]}> {
	const result = await runChromium(['--dump-dom', pathToFileURL(file).href]);
	assert.equal(result.code, 0, `chromium exited ${result.code}: ${result.stderr.slice(-1000)}`);
	assert.match(result.stdout, /<\/html>/, 'chromium dumped the page');
	return {dom: result.stdout, console: consoleLines(result.stderr)};
}

async function probeSorting(file: string): Promise<Record<string, Look>> {
	const copy = file.replace(/\.html$/, '.probe.html');
	await writeFile(copy, (await readFile(file, 'utf8')).replace('</body>', `${probe}</body>`));
	const {dom, console} = await openInChromium(copy);
	assert.deepEqual(console, [], 'no console output with the probe either');
	const text = /<pre id="probe">([^<]*)<\/pre>/.exec(dom)?.[1];
	assert.ok(text, 'the probe ran');
	return JSON.parse(text.replaceAll('&quot;', '"').replaceAll('&amp;', '&')) as Record<string, Look>;
}

/** The order the page should show: by `key`, nothing measured (null) last either way, ties by id. */
function expectedOrder(table: ClientTable, key: string, ascending: boolean): number[] {
	const index = table.columns.findIndex(column => column.key === key);
	const numeric = table.columns[index]!.type === 'number';
	return [...table.rows].sort((a, b) => {
		const x = a[index]!;
		const y = b[index]!;
		if (x === y) {
			return (a[0] as number) - (b[0] as number);
		}

		if (x === null || y === null) {
			return x === null ? 1 : -1;
		}

		const order = numeric ? (x as number) - (y as number) : String(x).localeCompare(String(y), 'en', {numeric: true});
		return (ascending ? order : -order) || (a[0] as number) - (b[0] as number);
	}).map(row => row[0] as number);
}

describe('--report in a real browser', {skip: chromiumSkip}, () => {
	let server: TestServer;
	let dir: string;

	before(async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'sse-tui-report-'));
		server = await startTestServer({intervalMs: 100});
	});

	after(async () => {
		await server.close();
		await rm(dir, {recursive: true, force: true});
	});

	test('a real run\'s report: no console errors, charts drawn, every shown number equals the --json summary, 5 sortable rows', {timeout: 120_000}, async () => {
		const file = path.join(dir, 'run.html');
		const result = await runCli(['--url', `${server.url}/dashboard/stream`, '--clients', '5', '--duration', '3s', '--no-tui', '--json', '--report', file], {timeoutMs: 30_000});
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stderr, new RegExp(`^report written to ${file.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
		const summary = JSON.parse(result.stdout) as Summary;
		assert.equal(summary.clients.connected, 5);
		assert.ok(summary.messages.total > 0 && summary.latencyMs !== null, 'the run measured messages and latency');

		const {dom, console} = await openInChromium(file);
		assert.deepEqual(console, [], 'the page logged nothing: no script error, no blocked load');

		// The numbers: each marked one is the JSON summary's value at its path, and the key ones are there.
		const shown = shownMetrics(dom);
		for (const [metric, value] of shown) {
			assert.equal(value, valueAt(summary, metric) ?? null, metric);
		}

		for (const metric of ['messages.total', 'messages.perSecond', 'clients.connected', 'latencyMs.p50', 'latencyMs.p99', 'errors.total', 'reconnects', 'connectMs.p99']) {
			assert.ok(shown.some(([name]) => name === metric), `${metric} is shown`);
		}

		assert.match(dom, new RegExp(`data-metric="messages.total" data-value="${summary.messages.total}">${summary.messages.total.toLocaleString('en-US')}<`), 'the total reads as the JSON says');
		assert.deepEqual(embeddedJson(dom, 'summary'), summary, 'the embedded summary is the --json output');

		// The charts.
		const bars = [...dom.matchAll(/<rect class="bar"[^>]*data-count="(\d+)"/g)].map(match => Number(match[1]));
		assert.ok(bars.length > 0, 'the latency histogram has bars');
		assert.equal(bars.reduce((sum, count) => sum + count, 0), summary.latencyMs!.count, 'its bars hold every measured message');
		if (summary.timeline.length > 0) {
			for (const chart of ['open', 'messages', 'errors']) {
				assert.match(dom, new RegExp(`<svg class="chart"[^>]*data-chart="${chart}" data-points="${summary.timeline.length}"`), chart);
			}
		} else {
			assert.match(dom, /data-chart="timeline" data-empty="true"/);
		}

		assert.match(dom, summary.broadcast === null ? /data-chart="fanout" data-empty="true"/ : /data-chart="fanout" data-bars="\d+"/);

		// The client table, rendered by the page's script.
		const rows = [...dom.matchAll(/<tr data-id="(\d+)">(.*?)<\/tr>/g)];
		assert.deepEqual(rows.map(match => Number(match[1])), [1, 2, 3, 4, 5]);
		const messagesColumn = 2;
		const messages = rows.map(match => Number([...match[2]!.matchAll(/<td[^>]*>([^<]*)<\/td>/g)][messagesColumn]![1]!.replaceAll(',', '')));
		assert.equal(messages.reduce((sum, count) => sum + count, 0), summary.messages.total, 'the rows add up to the total');

		const table = embeddedJson(dom, 'clients-data') as ClientTable;
		const steps = await probeSorting(file);
		assert.deepEqual(steps['initial']!.ids, [1, 2, 3, 4, 5]);
		assert.equal(steps['initial']!.sort.split(',')[0], 'ascending');
		assert.deepEqual(steps['idAgain']!.ids, [5, 4, 3, 2, 1], 'a second click on a sorted column reverses it');
		assert.equal(steps['idAgain']!.sort.split(',')[0], 'descending');
		assert.deepEqual(steps['connectMs']!.ids, expectedOrder(table, 'connectMs', false), 'numbers: largest first');
		assert.deepEqual(steps['connectMsAgain']!.ids, expectedOrder(table, 'connectMs', true));
	});

	test('sorting in the browser: numbers by value, text naturally, nothing measured last in both directions', {timeout: 60_000}, async () => {
		const rows = [
			createRow(1, {connectMs: 9.5, lastEventId: '10', state: 'open'}),
			createRow(2, {connectMs: -1, lastEventId: '9', state: 'failed'}),
			createRow(3, {connectMs: 100, lastEventId: '', state: 'closed'}),
			createRow(4, {connectMs: 20, lastEventId: '100', state: 'open'}),
			createRow(5, {connectMs: 20, lastEventId: '2', state: 'closed'}),
		];
		const file = path.join(dir, 'fixture.html');
		await writeFile(file, renderReport(createInput({rows})));
		const steps = await probeSorting(file);
		assert.deepEqual(steps['connectMs']!.ids, [3, 4, 5, 1, 2]);
		assert.deepEqual(steps['connectMsAgain']!.ids, [1, 4, 5, 3, 2]);
		assert.deepEqual(steps['state']!.ids, [3, 5, 2, 1, 4], 'text A-Z on the first click, ties by id');
		assert.deepEqual(steps['lastEventId']!.ids, [5, 2, 1, 4, 3], '2 < 9 < 10 < 100, the missing one last');
		assert.equal(steps['lastEventId']!.sort, clientColumns.map(column => column.key === 'lastEventId' ? 'ascending' : 'none').join(','), 'aria-sort marks only the sorted column');
	});
});
