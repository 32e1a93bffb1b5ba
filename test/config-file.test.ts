import assert from 'node:assert/strict';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {applyConfigFile} from '../source/config-file.js';
import {resolveConfig, type RunFlags} from '../source/config.js';
import {UsageError} from '../source/errors.js';

let dir: string;
let cwd: string;
let empty: string;

before(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sse-tui-config-'));
	cwd = join(dir, 'project');
	empty = join(dir, 'empty');
	await import('node:fs/promises').then(async fs => {
		await fs.mkdir(cwd);
		await fs.mkdir(empty);
	});
	await writeFile(join(cwd, 'sse-tui.config.json'), JSON.stringify({
		port: 3001,
		clients: 50,
		duration: '30s',
		stats: true,
		threshold: ['p99<250ms', 'errors==0'],
		channelParams: {room: '1'},
		scenarios: {
			nightly: {scenario: 'load', clients: 500, duration: '10m'},
			smoke: {duration: '5s', logLevel: 'warn'},
		},
	}));
});

after(async () => {
	await rm(dir, {recursive: true, force: true});
});

const write = async (name: string, text: string): Promise<string> => {
	const path = join(dir, name);
	await writeFile(path, text);
	return path;
};

/** cli flags -> resolved Config, through the file found in `at` and the environment. */
const resolve = (cli: RunFlags, env: Record<string, string> = {}, at = cwd) => resolveConfig(applyConfigFile(cli, {cwd: at}).flags, env);

describe('config file', () => {
	test('./sse-tui.config.json is found by itself; --no-config ignores it; no file, no change', () => {
		const settings = applyConfigFile({}, {cwd});
		assert.equal(settings.file, join(cwd, 'sse-tui.config.json'));
		assert.equal(settings.auto, true);
		assert.equal(resolve({}).clients, 50);
		assert.equal(resolve({}).url, 'http://localhost:3001/dashboard/stream');
		assert.equal(resolveConfig(applyConfigFile({config: false as unknown as string}, {cwd}).flags).clients, 1);
		assert.deepEqual(applyConfigFile({clients: '3'}, {cwd: empty}), {flags: {clients: '3'}, file: undefined, auto: false, scenario: undefined, sources: {clients: 'command line'}});
	});

	test('precedence: command line > config file > environment > defaults', () => {
		assert.equal(resolve({clients: '7'}, {SSE_CLIENTS: '9'}).clients, 7, 'the command line beats the file and the environment');
		assert.equal(resolve({}, {SSE_CLIENTS: '9'}).clients, 50, 'the file beats the environment');
		assert.equal(resolve({}, {SSE_CLIENTS: '9'}, empty).clients, 9, 'the environment beats the default');
		assert.equal(resolve({}, {}, empty).clients, 1, 'the default');
		assert.equal(resolve({}, {SSE_URL: 'http://127.0.0.1:9/env'}).url, 'http://localhost:3001/dashboard/stream', 'the file\'s port beats SSE_URL');
		assert.equal(resolve({url: 'http://127.0.0.1:4000/x'}).url, 'http://127.0.0.1:4000/x', '--url on the command line beats the file\'s port');
		assert.equal(resolve({stats: false}).stats, false, '--no-stats beats "stats": true');
		assert.deepEqual(resolve({threshold: ['delivery>=100%']}).thresholds.map(each => each.expr), ['delivery>=100%'], 'thresholds on the command line replace the file\'s');
		assert.deepEqual(resolve({}).thresholds.map(each => each.expr), ['p99<250ms', 'errors==0']);
		assert.deepEqual(resolve({protocol: 'websocket'}).ws!.channelParams, {room: '1'}, 'a JSON flag may be an object in the file');
	});

	test('a named scenario: over the top level, under the command line, building on a built-in one', () => {
		const nightly = resolve({scenario: 'nightly'});
		assert.equal(nightly.scenario, 'load', 'built on load');
		assert.equal(nightly.stats, true);
		assert.equal(nightly.clients, 500);
		assert.equal(nightly.durationMs, 600_000);
		assert.equal(resolve({scenario: 'nightly', clients: '20'}).clients, 20);
		const smoke = applyConfigFile({scenario: 'smoke'}, {cwd});
		assert.equal(smoke.scenario, 'smoke');
		assert.equal(smoke.sources['duration'], 'config file, scenario smoke');
		assert.equal(smoke.sources['clients'], 'config file');
		const resolved = resolveConfig(smoke.flags);
		assert.equal(resolved.scenario, undefined, 'smoke builds on no built-in scenario');
		assert.equal(resolved.durationMs, 5000);
		assert.equal(resolved.logLevel, 'warn');
		assert.equal(resolve({scenario: 'load'}).clients, 50, 'a built-in scenario with the file\'s top level');
	});

	test('--config FILE, relative to the working directory, instead of ./sse-tui.config.json', async () => {
		await write('other.json', '{"clients": 4}');
		const settings = applyConfigFile({config: 'other.json'}, {cwd: dir});
		assert.equal(settings.auto, false);
		assert.equal(resolveConfig(settings.flags).clients, 4);
	});

	const mistakes: Array<[string, string, RegExp]> = [
		['typo.json', '{"clinets": 5}', /^typo\.json: unknown key "clinets" \(did you mean "clients"\?\)/],
		['kebab.json', '{"max-backoff": "1s"}', /^kebab\.json: "max-backoff": keys are the flags' names in camelCase: write "maxBackoff"$/],
		['type.json', '{"clients": true}', /^type\.json: "clients" must be a string or a number like --clients takes/],
		['switch.json', '{"stats": "yes"}', /^switch\.json: "stats" must be true or false/],
		['list.json', '{"threshold": [{}]}', /^list\.json: "threshold" must be a string or an array of strings, one per --threshold/],
		['nested.json', '{"scenarios": {"ci": {"clinets": 1}}}', /^nested\.json: unknown key "scenarios\.ci\.clinets" \(did you mean "clients"\?\)/],
		['cli-only.json', '{"printConfig": true}', /^cli-only\.json: "printConfig" works on the command line only \(--print-config\)/],
		['syntax.json', '{\n  "clients": 5\n  "duration": "1m"\n}', /^syntax\.json:3:3: not valid JSON \(Expected ',' or '}' after property value\)/],
		['builtin.json', '{"scenarios": {"load": {"clients": 1}}}', /^builtin\.json: "scenarios\.load": load is a built-in scenario; give yours another name/],
		['base.json', '{"scenarios": {"ci": {"scenario": "nightly"}}}', /^base\.json: "scenarios\.ci\.scenario" can build on a built-in scenario only/],
		['array.json', '[1]', /^array\.json must hold one JSON object of flags/],
	];
	for (const [name, text, message] of mistakes) {
		test(`${name}: one line naming the key and the fix`, async () => {
			await write(name, text);
			assert.throws(() => applyConfigFile({config: name}, {cwd: dir}), (error: unknown) => {
				assert.ok(error instanceof UsageError);
				assert.match(error.message, message);
				assert.doesNotMatch(error.message, /\n/);
				return true;
			});
		});
	}

	test('a missing file, an unknown scenario and --config with demo are usage errors', () => {
		assert.throws(() => applyConfigFile({config: 'missing.json'}, {cwd: dir}), /^UsageError: --config missing\.json: no such file/);
		assert.throws(() => applyConfigFile({config: ''}, {cwd: dir}), /^UsageError: --config needs the path of a JSON file/);
		assert.throws(() => applyConfigFile({scenario: 'nighty'}, {cwd}), /--scenario nighty is neither built in nor in sse-tui\.config\.json \(did you mean nightly\?\); the scenarios are single, .*, nightly, smoke$/);
		assert.throws(() => applyConfigFile({config: 'other.json'}, {cwd: dir, demo: true}), /demo .* reads no config file: drop --config/);
		assert.equal(applyConfigFile({}, {cwd, demo: true}).file, undefined, 'demo does not pick up ./sse-tui.config.json');
	});
});
