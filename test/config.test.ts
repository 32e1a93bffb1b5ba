import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {resolveConfig, type RunFlags} from '../source/config.js';
import {redactHeaders} from '../source/redact.js';
import {UsageError} from '../source/errors.js';

describe('resolveConfig', () => {
	test('defaults match the Go client', () => {
		const config = resolveConfig({});
		assert.equal(config.url, 'http://localhost:3000/dashboard/stream');
		assert.equal(config.clients, 1);
		assert.equal(config.timeoutMs, 60_000);
		assert.equal(config.logLevel, 'info');
		assert.equal(config.durationMs, undefined);
		assert.equal(config.startIntervalMs, 10);
		assert.equal(config.statsIntervalMs, 10_000);
		assert.equal(config.maxEventSize, 8 * 1024 * 1024);
		assert.equal(config.stats, false);
		assert.ok(Object.isFrozen(config));
	});

	test('--port builds the local stream URL; --url wins over --port', () => {
		assert.equal(resolveConfig({port: '3001'}).url, 'http://localhost:3001/dashboard/stream');
		assert.equal(resolveConfig({port: '3001', url: 'http://example.test/s'}).url, 'http://example.test/s');
	});

	const scenarioCases: Array<[string, RunFlags, number, boolean]> = [
		['single', {scenario: 'single'}, 1, false],
		['multiple', {scenario: 'multiple'}, 5, false],
		['load', {scenario: 'load'}, 20, true],
		['load with explicit clients', {scenario: 'load', clients: '7'}, 7, true],
		['custom', {scenario: 'custom', url: 'http://h/x'}, 1, false],
	];
	for (const [name, flags, clients, stats] of scenarioCases) {
		test(`scenario ${name} sets ${clients} clients, stats ${stats}`, () => {
			const config = resolveConfig(flags);
			assert.equal(config.clients, clients);
			assert.equal(config.stats, stats);
		});
	}

	test('environment fallbacks apply below flags and scenarios', () => {
		const env = {SSE_URL: 'http://env.test/stream', SSE_CLIENTS: '9', LOG_LEVEL: 'DEBUG'};
		const config = resolveConfig({}, env);
		assert.equal(config.url, 'http://env.test/stream');
		assert.equal(config.clients, 9);
		assert.equal(config.logLevel, 'debug');
		assert.equal(resolveConfig({clients: '2', url: 'http://flag.test/', logLevel: 'warn'}, env).clients, 2);
		assert.equal(resolveConfig({scenario: 'multiple'}, env).clients, 5);
		assert.equal(resolveConfig({port: '4000'}, env).url, 'http://localhost:4000/dashboard/stream');
	});

	test('durations accept ms, s, m, h', () => {
		assert.equal(resolveConfig({duration: '1500ms'}).durationMs, 1500);
		assert.equal(resolveConfig({duration: '30s'}).durationMs, 30_000);
		assert.equal(resolveConfig({duration: '5m'}).durationMs, 300_000);
		assert.equal(resolveConfig({duration: '1h'}).durationMs, 3_600_000);
	});

	test('--ramp spreads starts over the whole ramp; 0 starts all at once', () => {
		assert.equal(resolveConfig({clients: '100', ramp: '10s'}).startIntervalMs, 100);
		assert.equal(resolveConfig({clients: '100', ramp: '0'}).startIntervalMs, 0);
	});

	test('--debug wins over --log-level', () => {
		assert.equal(resolveConfig({debug: true, logLevel: 'error'}).logLevel, 'debug');
	});

	test('headers are parsed, lower-cased and redacted for printing', () => {
		const config = resolveConfig({header: ['Authorization: Bearer secret', 'X-Trace:  abc ']});
		assert.deepEqual(config.headers, {authorization: 'Bearer secret', 'x-trace': 'abc'});
		assert.deepEqual(redactHeaders(config.headers), {authorization: '***', 'x-trace': 'abc'});
	});

	test('--report keeps the path as given', () => {
		assert.equal(resolveConfig({}).report, undefined);
		assert.equal(resolveConfig({report: 'runs/today.html'}).report, 'runs/today.html');
		assert.equal(resolveConfig({report: '.report'}).report, '.report');
	});

	test('the TUI is on only in a terminal, and never with --json or --no-tui', () => {
		assert.equal(resolveConfig({}, {}, {isTTY: true}).tui, true);
		assert.equal(resolveConfig({}, {}, {isTTY: false}).tui, false);
		assert.equal(resolveConfig({json: true}, {}, {isTTY: true}).tui, false);
		assert.equal(resolveConfig({tui: false}, {}, {isTTY: true}).tui, false);
	});

	const usageCases: Array<[RunFlags, RegExp, Record<string, string>?]> = [
		[{clients: 'x'}, /^--clients must be a whole number from 1 to 1000000 \(got "x"\)$/],
		[{clients: '0'}, /--clients must be a whole number/],
		[{clients: '1.5'}, /--clients must be a whole number/],
		[{workers: '0'}, /^--workers must be a whole number from 1 to 64 \(got "0"\)$/],
		[{}, /^SSE_CLIENTS must be a whole number/, {SSE_CLIENTS: 'lots'}],
		[{port: '70000'}, /^--port must be a whole number from 1 to 65535 \(got "70000"\)$/],
		[{scenario: 'huge'}, /^--scenario must be one of single, multiple, load, custom, broadcast, hold, churn, storm \(got "huge"\)$/],
		[{scenario: 'custom'}, /^--scenario custom needs --url URL/],
		[{protocol: 'gopher'}, /^--protocol must be one of sse/],
		[{url: 'not a url'}, /^--url must be a full URL/],
		[{url: 'ftp://host/x'}, /^--url must start with http:\/\/ or https:\/\//],
		[{duration: '10 parsecs'}, /^--duration must be a duration like 1500ms, 30s, 5m or 1h \(got "10 parsecs"\)$/],
		[{duration: '0s'}, /^--duration must be greater than zero/],
		[{timeout: '-1s'}, /^--timeout must be a positive duration/],
		[{logLevel: 'loud'}, /^--log-level must be one of error, warn, info, debug \(got "loud"\)$/],
		[{}, /^LOG_LEVEL must be one of/, {LOG_LEVEL: 'loud'}],
		[{header: ['no colon here']}, /^--header must look like "Name: value"/],
		[{header: ['X-A: one\r\nInjected: yes']}, /^--header X-A: the value cannot hold a line break or NUL/],
		[{maxEventSize: 'big'}, /^--max-event-size must be a size like/],
		[{json: true, events: '-'}, /^--events - would mix the event log into --json output/],
		[{report: ''}, /^--report needs a file path, e.g. --report report.html$/],
		[{report: 'out/'}, /^--report must name a file, not a directory \(got "out\/"\), e.g. --report out\/report.html$/],
		[{report: '..'}, /^--report must name a file, not a directory/],
		[{report: 'runs/.'}, /^--report must name a file, not a directory/],
	];
	for (const [flags, message, env] of usageCases) {
		test(`rejects ${JSON.stringify(flags)}${env ? ` with ${JSON.stringify(env)}` : ''}`, () => {
			assert.throws(() => resolveConfig(flags, env), (error: unknown) => {
				assert.ok(error instanceof UsageError);
				assert.equal(error.exitCode, 2);
				assert.match(error.message, message);
				assert.ok(!error.message.includes('\n'), 'one line');
				return true;
			});
		});
	}

	test('websocket: --port builds the cable URL, raw mode the /ws URL, and the origin follows the target', () => {
		const cable = resolveConfig({protocol: 'websocket', port: '3001'});
		assert.equal(cable.url, 'ws://localhost:3001/cable');
		assert.equal(cable.ws?.mode, 'cable');
		assert.equal(cable.ws?.channel, 'DashboardUpdatesChannel');
		assert.equal(cable.ws?.origin, 'http://localhost:3001');
		const raw = resolveConfig({protocol: 'ws', wsMode: 'raw', port: '3001'});
		assert.equal(raw.url, 'ws://localhost:3001/ws');
		assert.equal(raw.ws?.pingIntervalMs, 15_000);
		assert.equal(resolveConfig({protocol: 'websocket', url: 'https://h.test/cable'}).url, 'wss://h.test/cable');
		assert.equal(resolveConfig({protocol: 'websocket', url: 'wss://h.test/cable'}).ws?.origin, 'https://h.test');
		assert.equal(resolveConfig({protocol: 'websocket'}, {SSE_URL: 'http://sse.test/stream'}).url, 'ws://localhost:3000/cable', 'SSE_URL is for SSE');
		assert.equal(resolveConfig({}).ws, undefined);
	});

	test('websocket: channel params, perform and subprotocols', () => {
		const config = resolveConfig({protocol: 'websocket', channel: 'ChatChannel', channelParams: '{"room":"1"}', perform: 'speak', performData: '{"body":"hi"}', performEvery: '500ms', subprotocol: ['a, b', 'c'], origin: 'http://app.test'});
		assert.deepEqual(config.ws?.channelParams, {room: '1'});
		assert.deepEqual(config.ws?.perform, {action: 'speak', data: {body: 'hi'}, everyMs: 500});
		assert.deepEqual(config.ws?.subprotocols, ['a', 'b', 'c']);
		assert.equal(config.ws?.origin, 'http://app.test');
	});

	const wsUsageCases: Array<[RunFlags, RegExp]> = [
		[{protocol: 'websocket', wsMode: 'socketio'}, /^--ws-mode must be one of cable, raw/],
		[{protocol: 'websocket', channelParams: '[1]'}, /^--channel-params must be a JSON object like/],
		[{protocol: 'websocket', channelParams: '{oops'}, /^--channel-params must be a JSON object/],
		[{protocol: 'websocket', performData: '{}'}, /^--perform-data and --perform-every need --perform ACTION/],
		[{protocol: 'websocket', url: 'ftp://h/x'}, /^--url must start with ws:\/\/ or wss:\/\//],
		[{protocol: 'websocket', origin: 'http://h.test/path'}, /^--origin must be an origin like/],
		[{protocol: 'websocket', pongTimeout: '0'}, /^--pong-timeout must be greater than zero/],
	];
	for (const [flags, message] of wsUsageCases) {
		test(`rejects ${JSON.stringify(flags)}`, () => {
			assert.throws(() => resolveConfig(flags), (error: unknown) => error instanceof UsageError && message.test(error.message));
		});
	}
});

describe('resolveConfig: delivery and the broadcast scenario', () => {
	test('defaults: latency from sent_at, sequence from seq or the id, no broadcast', () => {
		const config = resolveConfig({});
		assert.equal(config.latencyField, 'sent_at');
		assert.equal(config.seqField, undefined);
		assert.equal(config.broadcast, undefined);
	});

	test('broadcast through Redis: defaults, a fresh run id per run', () => {
		const a = resolveConfig({scenario: 'broadcast', publish: 'redis://127.0.0.1:6379'});
		const b = resolveConfig({scenario: 'broadcast', publish: 'redis://127.0.0.1:6379'});
		assert.equal(a.clients, 10);
		assert.deepEqual({...a.broadcast, runId: ''}, {target: {kind: 'redis', url: 'redis://127.0.0.1:6379', channel: 'dashboard_updates'}, count: 100, rate: 10, settleMs: 30_000, drainMs: 3000, padBytes: 0, runId: ''});
		assert.match(a.broadcast!.runId, /^[\da-f]{12}$/);
		assert.notEqual(a.broadcast!.runId, b.broadcast!.runId);
	});

	test('broadcast through a trigger: a bare origin gets the trigger path', () => {
		const config = resolveConfig({scenario: 'broadcast', trigger: 'http://127.0.0.1:3001', count: '5', rate: '50/s', settle: '0', drain: '500ms'});
		assert.deepEqual(config.broadcast?.target, {kind: 'http', url: 'http://127.0.0.1:3001/dashboard/trigger-test'});
		assert.equal(config.broadcast?.rate, 50);
		assert.equal(config.broadcast?.settleMs, 0);
	});

	const bad: Array<[RunFlags, RegExp]> = [
		[{scenario: 'broadcast'}, /needs where to publish: --publish redis:\/\/127\.0\.0\.1:6379/],
		[{scenario: 'broadcast', publish: 'redis://x', trigger: 'http://x'}, /give one of them/],
		[{scenario: 'broadcast', publish: 'http://x'}, /--publish must be a redis:\/\/ or rediss:\/\/ URL/],
		[{scenario: 'broadcast', publish: 'redis://:secret@x', count: '0'}, /--count must be a whole number from 1/],
		[{scenario: 'broadcast', trigger: 'http://x', redisChannel: 'a'}, /--redis-channel goes with --publish/],
		[{scenario: 'broadcast', trigger: 'ftp://x'}, /--trigger must be an http:\/\/ or https:\/\/ URL/],
		[{scenario: 'broadcast', trigger: 'http://x', rate: 'fast'}, /--rate must be messages per second/],
		[{scenario: 'broadcast', trigger: 'http://x', pad: '100KiB'}, /--pad can be at most 64KiB through a trigger endpoint/],
		[{scenario: 'broadcast', publish: 'redis://x', pad: '2MiB'}, /--pad can be at most 1MiB through Redis/],
		[{count: '5'}, /--count belongs to the broadcast scenario: add --scenario broadcast/],
		[{drain: '1s'}, /--drain belongs to the broadcast scenario/],
		[{seqField: 'a..b'}, /--seq-field must be a JSON path like seq or meta\.sequence/],
		[{latencyField: ''}, /--latency-field must be a JSON path/],
	];
	for (const [flags, message] of bad) {
		test(`rejects ${JSON.stringify(flags)}`, () => {
			assert.throws(() => resolveConfig(flags), (error: unknown) => error instanceof UsageError && message.test(error.message) && !error.message.includes('secret'));
		});
	}
});

describe('resolveConfig: the server\'s side', () => {
	test('--watch-redis watches the run\'s --redis-channel (several with commas); --watch-stats reads the known fields by default', () => {
		const config = resolveConfig({watchRedis: 'redis://127.0.0.1:6379', redisChannel: 'app:dashboard_updates, other', watchStats: 'http://127.0.0.1:3001/dashboard/stats', watchField: []});
		assert.deepEqual(config.watch?.channels, ['app:dashboard_updates', 'other']);
		assert.deepEqual(config.watch?.fields.map(field => `${field.name}=${field.path.join('.')}`), ['connections=connections.sse.current', 'messages=connections.sse.messages', 'drops=drops.slow_consumer']);
		const cable = resolveConfig({protocol: 'websocket', watchStats: 'http://h/stats', watchField: ['open=server.conns', 'uptime_ms']});
		assert.deepEqual(cable.watch?.fields.map(field => `${field.name}=${field.path.join('.')}`), ['open=server.conns', 'uptime_ms=uptime_ms']);
		assert.equal(resolveConfig({}).watch, undefined);
	});

	const bad: Array<[RunFlags, RegExp]> = [
		[{watchField: ['a']}, /--watch-field goes with --watch-stats URL/],
		[{redisPerStream: true}, /--redis-per-stream goes with --watch-redis URL/],
		[{watchStats: 'ftp://x'}, /--watch-stats must be an http\(s\) URL of a JSON stats endpoint/],
		[{watchStats: 'http://x', watchField: ['a..b']}, /--watch-field must be NAME=PATH or PATH/],
		[{watchRedis: 'http://x'}, /--watch-redis must be a redis:\/\/ or rediss:\/\/ URL/],
		[{redisChannel: 'x'}, /--redis-channel belongs to the broadcast scenario/],
	];
	for (const [flags, message] of bad) {
		test(`rejects ${JSON.stringify(flags)}`, () => {
			assert.throws(() => resolveConfig(flags), (error: unknown) => error instanceof UsageError && message.test(error.message));
		});
	}
});
