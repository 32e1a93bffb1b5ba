import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import {cleanup, render} from 'ink-testing-library';
import {resolveConfig} from '../../source/config.js';
import {Wizard} from '../../source/ui/wizard/wizard.js';
import {wizardResult, type WizardResult} from '../../source/ui/wizard/run-wizard.js';
import type {WizardState} from '../../source/ui/wizard/wizard-state.js';
import {keys, lines, press} from './factories.js';

function mount({listening = true}: {listening?: boolean} = {}) {
	let final: WizardState | undefined;
	const probes: number[] = [];
	const app = render(<Wizard color={false} probePort={async port => {
		probes.push(port);
		return listening;
	}} onDone={state => {
		final = state;
	}}/>);
	const frame = () => lines(app.lastFrame()).join('\n');
	/** Ink draws at most 30 frames a second: after a key that starts a probe, wait for the frame after it */
	const settled = async () => {
		for (let waited = 0; waited < 2000 && /… checking whether anything listens/.test(frame()); waited += 10) {
			// eslint-disable-next-line no-await-in-loop
			await new Promise(resolve => setTimeout(resolve, 10));
		}
	};

	const answer = async (...sequence: string[]) => {
		for (const key of sequence) {
			// eslint-disable-next-line no-await-in-loop
			await press(app.stdin, key);
			// eslint-disable-next-line no-await-in-loop
			await settled();
		}
	};
	/** the wizard's result once it has finished (after the probe settles) */
	const result = async (): Promise<WizardResult | undefined | 'running'> => {
		await new Promise(resolve => setTimeout(resolve, 30));
		return final ? wizardResult(final) : 'running';
	};

	/** waits (up to 2 s) for the frame to match: the port probe answers on a later turn */
	const until = async (pattern: RegExp) => {
		for (let waited = 0; waited < 2000 && !pattern.test(frame()); waited += 10) {
			// eslint-disable-next-line no-await-in-loop
			await new Promise(resolve => setTimeout(resolve, 10));
		}

		assert.match(frame(), pattern);
	};

	return {...app, frame, answer, result, until, probes, state: () => final};
}

/** Type text then Enter; '' takes the default. */
const line = (text: string) => [...(text === '' ? [] : [text]), keys.enter];

afterEach(() => {
	cleanup();
});

describe('wizard steps', () => {
	test('port: Enter takes the default 3000', async () => {
		const app = mount();
		assert.match(app.frame(), /\? Port \(default 3000\): _/);
		await app.answer(keys.enter);
		assert.match(app.frame(), /✔ Port: 3000/);
		await app.until(/\? Protocol/);
	});

	test('port: out of range and non-numbers are refused inline with the reason', async () => {
		const app = mount();
		await app.answer('70000', keys.enter);
		assert.match(app.frame(), /✖ Port must be a whole number from 1 to 65535 \(got "70000"\)/);
		assert.match(app.frame(), /\? Port \(default 3000\): 70000_/, 'the input stays for editing');
		await app.answer(keys.backspace, keys.backspace, keys.backspace, keys.backspace, keys.backspace, 'abc', keys.enter);
		assert.match(app.frame(), /✖ Port must be a whole number from 1 to 65535 \(got "abc"\)/);
		await app.answer(keys.backspace, keys.backspace, keys.backspace, '0', keys.enter);
		assert.match(app.frame(), /got "0"/);
		await app.answer(keys.backspace, '3001', keys.enter);
		assert.match(app.frame(), /✔ Port: 3001/);
		assert.doesNotMatch(app.frame(), /✖/);
	});

	test('pasted or fast-typed input that carries Enter and Backspace in one chunk works like separate keys', async () => {
		const app = mount();
		await app.answer('70000\r');
		assert.match(app.frame(), /✖ Port must be a whole number from 1 to 65535 \(got "70000"\)/);
		await app.answer('\u007F\u007F\u007F\u007F\u007F3001\r');
		assert.match(app.frame(), /✔ Port: 3001/);
		await app.until(/\? Protocol/);
	});

	test('protocol: SSE by default, WebSocket (ActionCable) one down', async () => {
		const app = mount();
		await app.answer(keys.enter);
		assert.match(app.frame(), /❯ SSE \(\/dashboard\/stream\)\n {2}WebSocket \(\/cable, ActionCable\)/);
		await app.answer(keys.down);
		assert.match(app.frame(), / {2}SSE \(\/dashboard\/stream\)\n❯ WebSocket/);
		await app.answer(keys.enter);
		assert.match(app.frame(), /✔ Protocol: WebSocket \(\/cable, ActionCable\)/);
	});

	test('log level: info by default; the arrows choose another', async () => {
		const app = mount();
		await app.answer(keys.enter, keys.enter);
		assert.match(app.frame(), /❯ info/);
		await app.answer(keys.down, keys.enter);
		assert.match(app.frame(), /✔ Log level: debug/);
	});

	test('Esc goes back one step, keeping the earlier answer', async () => {
		const app = mount();
		await app.answer('3005', keys.enter, keys.down, keys.enter);
		assert.match(app.frame(), /\? Log level/);
		await app.answer(keys.escape);
		assert.match(app.frame(), /\? Protocol/);
		assert.match(app.frame(), /❯ WebSocket/, 'the cursor sits on the earlier choice');
		await app.answer(keys.escape);
		assert.match(app.frame(), /\? Port \(default 3000\): 3005_/);
		await app.answer(keys.escape);
		assert.match(app.frame(), /\? Port/, 'Esc on the first step stays there');
	});

	test('clients: the scenario sets the default, validation as --clients', async () => {
		const app = mount();
		await app.answer(keys.enter, keys.enter, keys.enter, keys.down, keys.down, keys.enter);
		assert.match(app.frame(), /\? Clients \(default 20\)/);
		await app.answer('0', keys.enter);
		assert.match(app.frame(), /✖ Clients must be a whole number from 1 to 1000000 \(got "0"\)/);
		await app.answer(keys.escape);
		await app.answer(keys.up, keys.enter);
		assert.match(app.frame(), /\? Clients \(default 5\)/);
	});

	test('duration: empty runs until q; a bad duration is refused', async () => {
		const app = mount();
		await app.answer(keys.enter, keys.enter, keys.enter, keys.enter);
		assert.match(app.frame(), /\? Duration \(1500ms, 30s, 5m, 1h; empty: until q\)/);
		await app.answer('soon', keys.enter);
		assert.match(app.frame(), /✖ Duration must be a duration like 1500ms, 30s, 5m or 1h \(got "soon"\)/);
	});

	test('custom: the URL step shows the built default and rejects a non-URL', async () => {
		const app = mount();
		await app.answer('3002', keys.enter, keys.enter, keys.enter, keys.up, keys.up, keys.enter);
		assert.match(app.frame(), /\? URL \(default http:\/\/localhost:3002\/dashboard\/stream\)/);
		await app.answer('not a url', keys.enter);
		assert.match(app.frame(), /✖ --url must be a full URL/);
	});
});

describe('wizard results: the same RunFlags the CLI parses', () => {
	test('single client with every default', async () => {
		const app = mount();
		await app.answer(...line(''), keys.enter, keys.enter, keys.enter, ...line(''));
		assert.deepEqual(await app.result(), {flags: {protocol: 'sse', logLevel: 'info', scenario: 'single', port: '3000'}, startServer: undefined});
		assert.deepEqual(app.probes, [3000, 3000], 'the port when asked (the demo offer), then the run\'s target (the server offer)');
	});

	test('multiple clients: 3 clients for 2s on port 3001', async () => {
		const app = mount();
		await app.answer(...line('3001'), keys.enter, keys.enter, keys.down, keys.enter, ...line('3'), ...line('2s'));
		assert.deepEqual(await app.result(), {flags: {protocol: 'sse', logLevel: 'info', scenario: 'multiple', port: '3001', clients: '3', duration: '2s'}, startServer: undefined});
	});

	test('load test: 20 clients by default, stats from the preset', async () => {
		const app = mount();
		await app.answer(...line('3001'), keys.enter, keys.enter, keys.down, keys.down, keys.enter, ...line(''), ...line(''));
		const result = await app.result();
		assert.ok(result && result !== 'running');
		assert.deepEqual(result.flags, {protocol: 'sse', logLevel: 'info', scenario: 'load', port: '3001', clients: '20'});
		// The wizard and `sse-tui --scenario load --port 3001` resolve to the same run.
		assert.deepEqual(resolveConfig(result.flags, {}, {isTTY: true}), resolveConfig({scenario: 'load', port: '3001', tui: true}, {}, {isTTY: true}));
	});

	test('broadcast: clients, where to publish (the bundled trigger by default) and how many messages; no duration asked', async () => {
		const app = mount();
		await app.answer(...line('3001'), keys.enter, keys.enter, keys.down, keys.down, keys.down, keys.enter, ...line(''));
		assert.match(app.frame(), /\? Publish via \(redis:\/\/ or trigger URL\) \(default http:\/\/localhost:3001\/dashboard\/trigger-test\)/);
		await app.answer(...line(''), ...line('20'));
		const result = await app.result();
		assert.ok(result && result !== 'running');
		assert.deepEqual(result.flags, {protocol: 'sse', logLevel: 'info', scenario: 'broadcast', port: '3001', clients: '10', trigger: 'http://localhost:3001/dashboard/trigger-test', count: '20'});
		assert.equal(resolveConfig(result.flags).broadcast?.count, 20);
	});

	test('hold: clients, the connect rate (100/s by default, validated as --connect-rate) and the duration', async () => {
		const app = mount();
		await app.answer(...line('3001'), keys.enter, keys.enter, ...Array.from({length: 4}, () => keys.down), keys.enter, ...line('500'));
		assert.match(app.frame(), /\? Connect rate \(connections per second, e\.g\. 200\/s\) \(default 100\/s\)/);
		await app.answer(...line('fast'));
		assert.match(app.frame(), /✖ Connect rate must be a rate like 100\/s/);
		await app.answer(keys.backspace, keys.backspace, keys.backspace, keys.backspace, ...line('250/s'), ...line('5m'));
		const result = await app.result();
		assert.ok(result && result !== 'running');
		assert.deepEqual(result.flags, {protocol: 'sse', logLevel: 'info', scenario: 'hold', port: '3001', clients: '500', connectRate: '250/s', duration: '5m'});
		assert.equal(resolveConfig(result.flags).startIntervalMs, 4);
	});

	test('churn: the churn rate, 1/s by default', async () => {
		const app = mount();
		await app.answer(...line('3001'), keys.enter, keys.enter, ...Array.from({length: 5}, () => keys.down), keys.enter, ...line(''), ...line(''), ...line('1m'));
		assert.match(app.frame(), /✔ Churn rate: 1\/s/);
		const result = await app.result();
		assert.ok(result && result !== 'running');
		assert.deepEqual(result.flags, {protocol: 'sse', logLevel: 'info', scenario: 'churn', port: '3001', clients: '100', churnRate: '1/s', duration: '1m'});
		assert.equal(resolveConfig(result.flags).shape.churnRate, 1);
	});

	test('storm: when to drop everyone, or (empty) watch for a server restart', async () => {
		for (const [stormAt, shown] of [['30s', /✔ Storm: at 30s/], ['', /✔ Storm: when the server restarts/]] as const) {
			const app = mount();
			await app.answer(...line('3001'), keys.enter, keys.enter, ...Array.from({length: 6}, () => keys.down), keys.enter, ...line('50'), ...line(stormAt), ...line(''));
			assert.match(app.frame(), shown);
			const result = await app.result();
			assert.ok(result && result !== 'running');
			assert.deepEqual(result.flags, {protocol: 'sse', logLevel: 'info', scenario: 'storm', port: '3001', clients: '50', ...(stormAt === '' ? {} : {stormAt})});
			assert.equal(resolveConfig(result.flags).shape.stormAtMs, stormAt === '' ? undefined : 30_000);
			cleanup();
		}
	});

	test('broadcast through Redis: a bad URL is refused inline, the password never shown', async () => {
		const app = mount();
		await app.answer(...line(''), keys.enter, keys.enter, keys.down, keys.down, keys.down, keys.enter, ...line('2'), ...line('redis://'));
		assert.match(app.frame(), /✖ --trigger|✖ --publish/);
		await app.answer(...Array.from({length: 12}, () => keys.backspace), ...line('redis://:hunter2@127.0.0.1:6379'), ...line(''));
		assert.match(app.frame(), /✔ Publish through: redis:\/\/:\*\*\*@127\.0\.0\.1:6379/);
		assert.doesNotMatch(app.frame(), /hunter2/);
		const result = await app.result();
		assert.ok(result && result !== 'running');
		assert.equal(result.flags.publish, 'redis://:hunter2@127.0.0.1:6379');
	});

	test('custom URL with clients and stats', async () => {
		const app = mount();
		await app.answer(...line(''), keys.enter, keys.up, keys.enter, keys.up, keys.up, keys.enter, ...line('http://127.0.0.1:4000/s'), ...line('7'));
		assert.match(app.frame(), /\? Print a stats line every 10s\? \(y\/N\)/);
		await app.answer('y', ...line('1m'));
		assert.deepEqual(await app.result(), {
			flags: {protocol: 'sse', logLevel: 'warn', scenario: 'custom', url: 'http://127.0.0.1:4000/s', clients: '7', stats: true, duration: '1m'},
			startServer: undefined,
		});
		assert.deepEqual(app.probes, [3000, 4000], 'a local custom URL is probed on its own port');
	});

	test('custom URL on another host: no probe, no server offer', async () => {
		const app = mount({listening: false});
		await app.answer(...line(''), keys.enter, keys.enter, keys.up, keys.up, keys.enter, ...line('https://example.test/stream'), ...line(''), 'n', ...line(''));
		const result = await app.result();
		assert.ok(result && result !== 'running');
		assert.equal(result.flags.url, 'https://example.test/stream');
		assert.equal(result.flags.stats, false);
		assert.equal(result.startServer, undefined);
		assert.deepEqual(app.probes, [3000], 'only the port question is probed');
	});

	test('WebSocket protocol gives protocol websocket', async () => {
		const app = mount();
		await app.answer(...line(''), keys.down, keys.enter, keys.enter, keys.enter, ...line(''));
		const result = await app.result();
		assert.ok(result && result !== 'running');
		assert.equal(result.flags.protocol, 'websocket');
	});

	test('exit ends the wizard with no run', async () => {
		const app = mount();
		await app.answer(...line(''), keys.enter, keys.enter, keys.up, keys.enter);
		assert.equal(await app.result(), undefined);
		assert.equal(app.state()?.outcome, 'exit');
	});

	test('Ctrl-C ends the wizard with no run', async () => {
		const app = mount();
		await app.answer(keys.ctrlC);
		assert.equal(await app.result(), undefined);
	});

	test('nothing listening: offers the bundled server, Enter accepts', async () => {
		const app = mount({listening: false});
		await app.answer(...line('3009'), keys.enter, keys.enter, keys.down, keys.enter, ...line(''));
		await new Promise(resolve => setTimeout(resolve, 20));
		assert.match(app.frame(), /Nothing listens on localhost:3009 \(http:\/\/localhost:3009\/dashboard\/stream\)\.\n\? Start the bundled reference server on port 3009\? \(Y\/n\)/);
		await app.answer(keys.enter);
		assert.deepEqual(await app.result(), {flags: {protocol: 'sse', logLevel: 'info', scenario: 'single', port: '3009'}, startServer: {port: 3009}});
	});

	test('nothing listening on the port: the demo is the first scenario and the default; Enter runs it', async () => {
		const app = mount({listening: false});
		await app.answer(...line('3009'), keys.enter, keys.enter);
		await app.until(/\? Scenario/);
		assert.match(app.frame(), /Nothing listens on localhost:3009 yet: try the demo, or set up a test/);
		assert.match(app.frame(), /❯ demo: try it against the bundled server\n {2}single client\n/);
		await app.answer(keys.enter);
		assert.match(app.frame(), /✔ Scenario: demo: try it against the bundled server/);
		assert.deepEqual(await app.result(), {flags: {protocol: 'sse', logLevel: 'info'}, startServer: undefined, demo: true});
		assert.deepEqual(app.probes, [3009], 'no server offer after the demo');
	});

	test('the demo keeps the protocol and log level asked: WebSocket runs the demo on /cable', async () => {
		const app = mount({listening: false});
		await app.answer(...line(''), keys.down, keys.enter, keys.up, keys.enter, keys.enter);
		assert.deepEqual(await app.result(), {flags: {protocol: 'websocket', logLevel: 'warn'}, startServer: undefined, demo: true});
	});

	test('something listening on the port: no demo offered', async () => {
		const app = mount({listening: true});
		await app.answer(...line('3009'), keys.enter, keys.enter);
		await app.until(/\? Scenario/);
		assert.doesNotMatch(app.frame(), /demo|Nothing listens/);
		assert.match(app.frame(), /❯ single client/);
	});

	test('nothing listening: n declines, Esc goes back to the duration', async () => {
		const app = mount({listening: false});
		await app.answer(...line(''), keys.enter, keys.enter, keys.down, keys.enter, ...line('5s'));
		await new Promise(resolve => setTimeout(resolve, 20));
		await app.answer(keys.escape);
		assert.match(app.frame(), /\? Duration .*: 5s_/);
		await app.answer(keys.enter);
		await new Promise(resolve => setTimeout(resolve, 20));
		await app.answer('n');
		assert.deepEqual(await app.result(), {flags: {protocol: 'sse', logLevel: 'info', scenario: 'single', port: '3000', duration: '5s'}, startServer: undefined});
	});
});
