import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {agentColumns} from '../../source/agents/table.js';
import {renderReport} from '../../source/reporters/report/html.js';
import {summaryLines} from '../../source/reporters/text.js';
import type {Summary} from '../../source/reporters/summary.js';
import {createInput, createSummary as createReportSummary} from './report/factories.js';
import {shownMetrics, valueAt} from './report/page-helpers.js';
import {createSummary} from '../verdict/factories.js';
import {createAgentRows} from '../ui/factories.js';

const agents = (): NonNullable<Summary['agents']> => {
	const list = createAgentRows(3);
	return {redis: 'redis://:***@redis.internal:6379', run: 'nightly', count: list.length, lost: 1, list};
};

describe('the per-agent table in the text summary and the HTML report', () => {
	test('text: the agents line, then the table every agent in, every column (the dashboard panel\'s cells)', () => {
		const lines = summaryLines(createSummary({agents: agents()}));
		const start = lines.findIndex(line => line.startsWith('Agents:'));
		assert.deepEqual(lines.slice(start, start + 5), [
			'Agents:           3 agents: 2 running, 1 lost (run "nightly" on redis://:***@redis.internal:6379)',
			'  name host        state   clients   open  msgs/s errors CPU %      RSS     lag',
			'  a1   load-host-1 running     100    100      10      0     -        -       -',
			'  a2   load-host-2 lost        101      0      20      1    21  101 MiB    6 ms',
			'  a3   load-host-3 running     102    102      30      2    22  102 MiB    7 ms',
		]);
	});

	test('text: no --agents, no agents lines', () => {
		assert.ok(!summaryLines(createSummary()).some(line => /Agents:/.test(line)));
	});

	test('report: a table with every column and every agent, each number the summary\'s own at agents.list.i.field; the lost one marked', () => {
		const summary = {...createReportSummary(), agents: agents()};
		const html = renderReport(createInput({summary}));
		const section = /<section class="card" id="agents">[\s\S]*?<\/section>/.exec(html)?.[0];
		assert.ok(section, 'an agents section');
		assert.match(section, /3 agents: 2 running, 1 lost, run "nightly" on redis:\/\/:\*\*\*@redis\.internal:6379/);
		assert.deepEqual([...section.matchAll(/<th scope="col"[^>]*>([^<]+)<\/th>/g)].map(match => match[1]), agentColumns.map(column => column.title));
		assert.deepEqual([...section.matchAll(/data-agent="([^"]+)"( class="fail")?/g)].map(match => [match[1], Boolean(match[2])]), [['a1', false], ['a2', true], ['a3', false]]);
		const shown = shownMetrics(section);
		assert.equal(shown.length, 3 * 7, 'clients, open, msgs/s, errors, CPU, RSS, lag of each');
		for (const [path, value] of shown) {
			assert.equal(value, valueAt(summary, path), path);
		}

		assert.match(section, /<span class="badge badge-fail">lost<\/span>/);
		assert.ok(!renderReport(createInput()).includes('id="agents"'), 'no section without --agents');
	});
});
