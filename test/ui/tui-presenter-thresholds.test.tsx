import assert from 'node:assert/strict';
import {EventEmitter} from 'node:events';
import {describe, test} from 'node:test';
import {resolveConfig} from '../../source/config.js';
import {MetricsStore} from '../../source/metrics/store.js';
import {buildSummary, type ThresholdResult} from '../../source/reporters/summary.js';
import {createTuiPresenter} from '../../source/ui/tui-presenter.js';
import {createControls} from './factories.js';

class FakeStdout extends EventEmitter {
	output = '';
	columns = 120;
	rows = 40;
	isTTY = true;
	write(chunk: string): boolean {
		this.output += chunk;
		return true;
	}
}

/** A terminal whose keys are never read (isTTY false): this test only watches frames. */
class FakeStdin extends EventEmitter {
	isTTY = false;
}

// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replaceAll(/\u001B\[[\d;?]*[A-Za-z]/g, '');
async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) {
			assert.fail(`timed out waiting for ${what}`);
		}

		await new Promise(resolve => setTimeout(resolve, 10));
	}
}

describe('TUI presenter: thresholds', () => {
	test('frames carry the latest results to the dashboard thread; the last frame shows the final ones', async () => {
		const stdout = new FakeStdout();
		const presenter = createTuiPresenter({stdout: stdout as unknown as NodeJS.WriteStream, stdin: new FakeStdin() as unknown as NodeJS.ReadStream, version: '1.2.3', tickMs: 50, env: {NO_COLOR: '1'}});
		const config = resolveConfig({port: '3999', threshold: ['p99<250ms']});
		const store = new MetricsStore();
		let latest: ThresholdResult[] = [{expr: 'p99<250ms', metric: 'latency.p99', value: 312, passed: false}];
		presenter.start({config, store, controls: createControls(1), thresholds: {latest: () => latest}});
		await waitFor(() => plain(stdout.output).includes('thresholds: ✗ p99<250ms (312ms)'), 'the live results');

		latest = [{expr: 'p99<250ms', metric: 'latency.p99', value: 200, passed: true}];
		const summary = {...buildSummary(store.snapshot(), config, {startedAt: new Date(), stoppedBy: 'signal'}), thresholds: [{expr: 'p99<250ms', metric: 'latency.p99', value: 180, passed: true}]};
		await presenter.finish(summary);
		const text = plain(stdout.output);
		const lastFrame = text.slice(text.lastIndexOf('sse-tui 1.2.3 · SSE'), text.indexOf('=== Summary:'));
		assert.match(lastFrame, /thresholds: ✓ p99<250ms \(180ms\)/, 'the final frame shows the final verdict');
	});
});
