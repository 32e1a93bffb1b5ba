import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {renderReport} from '../../../source/reporters/report/html.js';
import type {ClientTable} from '../../../source/reporters/report/client-table.js';
import type {Summary} from '../../../source/reporters/summary.js';
import {createInput, createRow, createSummary, createTimeline} from './factories.js';
import {embeddedJson, shownMetrics, valueAt} from './page-helpers.js';

describe('report page', () => {
	test('every number it shows is the summary\'s own value at the path it names', () => {
		const input = createInput();
		const html = renderReport(input);
		const shown = shownMetrics(html);
		assert.ok(shown.length > 80, `${shown.length} marked numbers`);
		for (const [path, value] of shown) {
			assert.equal(value, valueAt(input.summary, path) ?? null, path);
		}

		for (const path of ['messages.total', 'clients.connected', 'latencyMs.p99', 'errors.total', 'reconnects', 'delivery.gaps', 'broadcast.fanoutMs.p99', 'thresholds.1.value', 'errors.byKind.stream']) {
			assert.ok(shown.some(([shownPath]) => shownPath === path), `${path} is shown`);
		}
	});

	test('the summary is embedded as JSON, and equals the input', () => {
		const input = createInput();
		assert.deepEqual(embeddedJson(renderReport(input), 'summary'), input.summary);
	});

	test('charts: one point per timeline second, one bar per broadcast, histogram bars that add up to the latency count', () => {
		const input = createInput();
		const html = renderReport(input);
		for (const chart of ['open', 'messages', 'errors', 'latency']) {
			assert.match(html, new RegExp(`data-chart="${chart}" data-points="60"`), chart);
		}

		assert.match(html, /data-chart="fanout" data-bars="20"/);
		const counts = [...html.matchAll(/data-count="(\d+)"/g)].map(match => Number(match[1]));
		assert.equal(counts.reduce((sum, count) => sum + count, 0), input.latencyBuckets.reduce((sum, bucket) => sum + bucket.count, 0));
		assert.ok(!html.includes('data-empty'), 'nothing is empty in a full run');
	});

	test('the verdict follows the thresholds; without any it says whether the run was clean', () => {
		const verdict = (summary: Summary) => /data-verdict="(\w+)"/.exec(renderReport(createInput({summary})))?.[1];
		assert.equal(verdict(createSummary()), 'fail');
		assert.equal(verdict(createSummary({thresholds: [{expr: 'p99<200ms', metric: 'latency.p99', value: 16.8, passed: true}]})), 'pass');
		assert.equal(verdict(createSummary({thresholds: []})), 'warn');
		const clean = createSummary({thresholds: []});
		clean.errors = {total: 0, byKind: {}};
		clean.clients.connected = clean.clients.requested;
		assert.equal(verdict(clean), 'neutral');
	});

	test('a run with no timeline, no broadcast and no latency shows empty states, not broken charts', () => {
		const summary = createSummary({timeline: [], broadcast: null, latencyMs: null, connectMs: null, reconnectMs: null, thresholds: []});
		const html = renderReport(createInput({summary, latencyBuckets: [], rows: []}));
		for (const chart of ['timeline', 'fanout', 'latency-histogram']) {
			assert.match(html, new RegExp(`data-chart="${chart}" data-empty="true"`), chart);
		}

		assert.match(html, /No thresholds were set/);
		assert.doesNotMatch(html, /NaN|undefined|Infinity|\[object/);
		for (const [path, value] of shownMetrics(html)) {
			assert.equal(value, valueAt(summary, path) ?? null, path);
		}
	});

	test('a day-long timeline is drawn in groups of seconds, and says so', () => {
		const summary = createSummary({timeline: createTimeline(86_400)});
		const html = renderReport(createInput({summary}));
		assert.match(html, /data-chart="open" data-points="1200"/);
		assert.match(html, /One point per 72 s: the lowest open count/);
		const charts = html.length - JSON.stringify(summary).length;
		assert.ok(charts < 1_000_000, `${charts} bytes besides the embedded summary`);
	});

	test('a timeline without latency keeps its other charts', () => {
		const summary = createSummary();
		summary.timeline = summary.timeline.map(point => ({...point, latencyP50: null, latencyP99: null}));
		const html = renderReport(createInput({summary}));
		assert.match(html, /data-chart="open" data-points="60"/);
		assert.match(html, /data-chart="latency" data-empty="true"/);
	});

	test('hostile strings stay text: no markup or script gets in from a URL, an error, a threshold or a header', () => {
		const attack = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';
		const summary = createSummary({target: {url: `http://localhost:3001/stream?q=${attack}`, protocol: 'sse', mode: null, scenario: null}});
		summary.thresholds = [{expr: attack, metric: attack, value: 1, passed: false}];
		const html = renderReport(createInput({
			summary,
			rows: [createRow(1, {lastError: attack, lastEventId: attack, state: 'closed'})],
			headers: {'x-evil': attack},
			version: attack,
		}));
		assert.equal(html.match(/<script/g)?.length, 3, 'only the page\'s own three script elements');
		assert.equal(html.match(/<\/script>/g)?.length, 3);
		assert.doesNotMatch(html, /<img/);
		assert.doesNotMatch(html, /alert\(1\)<\/script>/);
		const table = embeddedJson(html, 'clients-data') as ClientTable;
		assert.equal(table.rows[0]!.at(-1), attack, 'the error text survives as data');
	});

	test('no credential reaches the page: URL passwords and token query values are redacted (source/redact.ts rules)', () => {
		const summary = createSummary({target: {url: 'https://alice:s3cret@example.test/stream?access_token=tok123&room=1', protocol: 'sse', mode: null, scenario: null}});
		const html = renderReport(createInput({summary, rows: [createRow(1, {lastError: 'GET https://alice:s3cret@example.test/stream failed'})]}));
		assert.doesNotMatch(html, /s3cret|tok123/);
		assert.match(html, /https:\/\/alice:\*\*\*@example\.test\/stream\?access_token=\*\*\*&amp;room=1/);
		assert.equal((embeddedJson(html, 'summary') as Summary).target.url, 'https://alice:***@example.test/stream?access_token=***&room=1');
	});

	test('self-contained: a policy that forbids fetching, and no external address anywhere in the markup', () => {
		const html = renderReport(createInput());
		assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
		assert.doesNotMatch(html, /\s(src|href)=|url\(|@import|<link/);
	});

	test('the client table embeds every row as compact JSON, or the worst ones past the cap, and says so', () => {
		const rows = Array.from({length: 30}, (_, index) => createRow(index + 1, index === 20 ? {errors: 9} : {}));
		const all = renderReport(createInput({rows}));
		assert.equal((embeddedJson(all, 'clients-data') as ClientTable).rows.length, 30);
		assert.match(all, /data-clients-total="30" data-clients-shown="30">30 clients\. Click a column to sort\./);
		const capped = renderReport(createInput({rows, rowCap: 10}));
		const table = embeddedJson(capped, 'clients-data') as ClientTable;
		assert.equal(table.rows.length, 10);
		assert.ok(table.rows.some(row => row[0] === 21), 'the client with errors is kept');
		assert.match(capped, /Showing the 10 clients with the most errors, then gaps, then reconnects, then fewest messages, of 30\./);
	});
});

describe('report: the server\'s side', () => {
	test('drawn next to the clients when watched, its last values marked, disagreements listed; absent otherwise', () => {
		const plain = renderReport(createInput({summary: createSummary({server: null})}));
		assert.doesNotMatch(plain, /The server's side/);
		const stats = [1000, 2000, 3000].map(t => ({t, reachable: true, values: {connections: 30, messages: t / 10, drops: 0}}));
		const summary = createSummary({server: {
			redis: null,
			stats: {url: 'http://127.0.0.1:3001/dashboard/stats', fields: ['connections', 'messages', 'drops'], last: stats.at(-1)!, samples: stats},
			disagreements: [{what: 'connections the server counts that no client holds (half-open?)', clients: 10, server: 30, firstAt: 2000, lastAt: 3000, samples: 2, worst: 20}],
		}});
		const html = renderReport(createInput({summary}));
		assert.match(html, /<h2>The server's side<\/h2>/);
		assert.match(html, /data-chart="server-connections"/);
		assert.match(html, /data-metric="server\.stats\.last\.values\.connections" data-value="30"/);
		assert.match(html, /connections the server counts that no client holds \(half-open\?\)<\/strong>: server 30, clients 10 \(worst difference 20, 2 samples, from 2\.0 s to 3\.0 s\)/);
	});
});
