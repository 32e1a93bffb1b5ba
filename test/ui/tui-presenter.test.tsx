import assert from 'node:assert/strict';
import {EventEmitter} from 'node:events';
import {spawnSync} from 'node:child_process';
import {describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {resolveConfig} from '../../source/config.js';
import {MetricsStore} from '../../source/metrics/store.js';
import {buildSummary} from '../../source/reporters/summary.js';
import {createTuiPresenter} from '../../source/ui/tui-presenter.js';
import {shellQuote} from '../helpers/cli.js';
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

class FakeStdin extends EventEmitter {
	isTTY = true;
	#data: string | null = null;
	press(data: string): void {
		this.#data = data;
		this.emit('readable');
	}

	read(): string | null {
		const data = this.#data;
		this.#data = null;
		return data;
	}

	setEncoding(): void {}
	setRawMode(_mode: boolean): void {}
	resume(): void {}
	pause(): void {}
	ref(): void {}
	unref(): void {}
}

// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replaceAll(/\u001B\[[\d;?]*[A-Za-z]/g, '');
const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
/** Polls until check() holds; the dashboard thread loads React and Ink first, slower on a busy machine. */
async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) {
			assert.fail(`timed out waiting for ${what}`);
		}

		await sleep(10);
	}
}

describe('TUI presenter', () => {
	test('draws from the store tick, logs events to the pane, q stops, and the summary follows the last frame', async () => {
		const stdout = new FakeStdout();
		const stdin = new FakeStdin();
		const presenter = createTuiPresenter({stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, version: '1.2.3', tickMs: 50, env: {NO_COLOR: '1'}});
		const config = resolveConfig({port: '3999', clients: '2', logLevel: 'info'});
		const store = new MetricsStore();
		const controls = createControls(2);
		presenter.start({config, store, controls});
		assert.equal(presenter.wantsEvents, true);

		store.emit({kind: 'connecting', client: 1, attempt: 1});
		store.emit({kind: 'open', client: 1, status: 200, connectMs: 3, url: config.url});
		for (let index = 0; index < 3; index++) {
			store.emit({kind: 'event', client: 1, type: 'message', data: '{}', id: String(index), bytes: 10});
		}

		const failure = {kind: 'error', client: 2, error: 'connect', message: 'ECONNREFUSED'} as const;
		store.emit(failure);
		presenter.event(failure, store.elapsed());
		presenter.event({kind: 'event', client: 1, type: 'message', data: '{}', id: '9', bytes: 2}, store.elapsed());
		presenter.message('info', 'stopping (signal): closing 2 clients', store.elapsed());
		await waitFor(() => plain(stdout.output).includes('sse-tui 1.2.3'), 'the first frame');

		stdin.press('q');
		await waitFor(() => controls.calls.length > 0, 'q to reach the run');
		assert.deepEqual(controls.calls, ['stop']);

		store.emit({kind: 'close', client: 1, reason: 'stopped', final: true});
		const summary = buildSummary(store.snapshot(), config, {startedAt: new Date(), stoppedBy: 'signal'});
		await presenter.finish(summary);
		const text = plain(stdout.output);
		const lastFrame = text.lastIndexOf('sse-tui 1.2.3 · SSE');
		const summaryAt = text.indexOf('=== Summary:');
		assert.ok(lastFrame >= 0, 'the dashboard was drawn');
		assert.ok(summaryAt > lastFrame, 'the summary comes after the last frame');
		const frame = text.slice(lastFrame, summaryAt);
		assert.match(frame, /msgs 3 /);
		assert.match(frame, /closed 1 /, 'the last frame is drawn from the final state, not the last tick');
		assert.match(frame, /stopping…/);
		assert.match(frame, /WARN {2}client 2 error \(connect\): ECONNREFUSED/);
		assert.match(frame, /INFO {2}stopping \(signal\): closing 2 clients/);
		assert.doesNotMatch(frame, /DEBUG/, 'debug lines stay out at info level');
		assert.match(text.slice(summaryAt), /Messages: +3 /);
		assert.doesNotMatch(stdout.output.slice(stdout.output.indexOf('=== Summary:')), /\u001B/, 'the summary is plain text');
	});

	test('a dashboard thread that fails leaves raw mode, says so in one line, and the run still ends with the summary', async () => {
		const stdout = new FakeStdout();
		const stdin = new FakeStdin();
		const raw: boolean[] = [];
		stdin.setRawMode = (mode: boolean) => {
			raw.push(mode);
		};

		const threadModule = new URL('fixtures/broken-dashboard-thread.js', import.meta.url);
		const presenter = createTuiPresenter({stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, version: '1', tickMs: 20, threadModule});
		const config = resolveConfig({port: '3999', clients: '1'});
		const store = new MetricsStore();
		presenter.start({config, store, controls: createControls(1)});
		await waitFor(() => stdout.output.includes('the dashboard stopped'), 'the failure line');
		assert.deepEqual(raw, [true, false], 'raw mode is off again, so Ctrl-C is a signal');
		assert.match(stdout.output, /sse-tui: the dashboard stopped \(the dashboard thread could not load\); the run goes on, Ctrl-C stops it and the summary follows\n/);
		store.emit({kind: 'connecting', client: 1, attempt: 1});
		await presenter.finish(buildSummary(store.snapshot(), config, {startedAt: new Date(), stoppedBy: 'signal'}));
		assert.match(stdout.output, /=== Summary:/);
	});

	test('a process that exits while the dashboard is drawing shows the cursor again', {skip: spawnSync('script', ['--version']).status === 0 ? false : 'script (util-linux) is not installed'}, async () => {
		const fixture = fileURLToPath(new URL('fixtures/exit-while-drawing.js', import.meta.url));
		// script(1) gives the fixture a real pseudo-terminal, so Ink draws and hides the cursor.
		const run = spawnSync('script', ['-qfec', `${shellQuote(process.execPath)} ${shellQuote(fixture)}`, '/dev/null'], {encoding: 'latin1', timeout: 30_000, env: {...process.env, NO_COLOR: '1'}});
		const output = run.stdout;
		const hidden = output.lastIndexOf('\u001B[?25l');
		assert.ok(hidden >= 0, 'the dashboard drew and hid the cursor');
		assert.ok(output.lastIndexOf('\u001B[?25h') > hidden, 'the cursor is shown after it was last hidden');
		assert.equal(run.status, 130);
	});

	test('the header shows the target URL with its password as ***', async () => {
		const stdout = new FakeStdout();
		const presenter = createTuiPresenter({stdout: stdout as unknown as NodeJS.WriteStream, stdin: new FakeStdin() as unknown as NodeJS.ReadStream, version: '1.2.3', tickMs: 50, env: {NO_COLOR: '1'}});
		const config = resolveConfig({url: 'http://ops:s3cr3t-pw@127.0.0.1:3999/stream'});
		const store = new MetricsStore();
		presenter.start({config, store, controls: createControls(1)});
		await waitFor(() => plain(stdout.output).includes('sse-tui 1.2.3'), 'the first frame');
		await presenter.finish(buildSummary(store.snapshot(), config, {startedAt: new Date(), stoppedBy: 'signal'}));
		assert.match(plain(stdout.output), /http:\/\/ops:\*\*\*@127\.0\.0\.1:3999\/stream/);
		assert.doesNotMatch(stdout.output, /s3cr3t/);
	});

	test('at --log-level error the presenter asks for no client events', () => {
		const presenter = createTuiPresenter({stdout: new FakeStdout() as unknown as NodeJS.WriteStream, stdin: new FakeStdin() as unknown as NodeJS.ReadStream, version: '1'});
		const store = new MetricsStore();
		presenter.start({config: resolveConfig({logLevel: 'error'}), store, controls: createControls()});
		assert.equal(presenter.wantsEvents, false);
		return presenter.finish(buildSummary(store.snapshot(), resolveConfig({}), {startedAt: new Date(), stoppedBy: 'signal'}));
	});
});
