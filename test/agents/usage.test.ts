import {readFileSync} from 'node:fs';
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {runCli} from '../helpers/cli.js';
import {startTestRedis, type TestRedis} from '../helpers/redis-server.js';
import {env} from './helpers.js';

/** The version this checkout builds (package.json), which the version checks name. */
const {version} = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {version: string};

describe('agents: usage, versions and secrets', () => {
	let redis: TestRedis;
	before(async () => {
		redis = await startTestRedis();
	});
	after(async () => {
		await redis.stop();
	});

	for (const [args, pattern] of [
		[['--agents', '3'], /--agents needs --redis URL/],
		[['--redis', 'redis://127.0.0.1:1'], /--redis goes with --agents N .*: add --agents, or drop --redis/],
		[['--agents', '2', '--redis', 'redis://127.0.0.1:1', '--events', 'events.ndjson'], /--events cannot be used with --agents: the client events stay on the agents' hosts .*; drop --events/],
		[['--agents', '2', '--redis', 'redis://127.0.0.1:1', '--workers', '2'], /--workers cannot be used with --agents: give each agent its own --workers/],
		[['--agents', '2', '--redis', 'redis://127.0.0.1:1', '--run', 'a b'], /--run takes 1 to 64 letters/],
		[['agent'], /sse-tui agent needs --redis URL/],
		[['agent', '--redis', 'redis://127.0.0.1:1', '--name', 'x/y'], /--name takes 1 to 64 letters/],
	] as const) {
		test(`sse-tui ${args.join(' ')}: one line, exit 2`, async () => {
			const result = await runCli([...args, '--no-tui'].filter(arg => !(args[0] === 'agent' && arg === '--no-tui')), {env});
			assert.equal(result.code, 2, result.stderr);
			assert.match(result.stderr, pattern);
			assert.doesNotMatch(result.stderr, /\n\s+at /);
		});
	}

	test('sse-tui agent --help', async () => {
		const result = await runCli(['agent', '--help'], {env});
		assert.equal(result.code, 0);
		assert.match(result.stdout, /sse-tui agent --redis URL/);
	});

	test('an agent of another version is left out by name, and the password of --redis is never printed', async () => {
		const client = redis.client();
		await client.set('sse-tui:mixed:agent:old', JSON.stringify({name: 'old', host: 'h9', cores: 2, fileLimit: 20_000, version: '9.9.9', protocol: 1, running: null}), 'PX', 20_000);
		const secretUrl = redis.url.replace('redis://', 'redis://:hunter2@');
		const result = await runCli(['--url', 'http://127.0.0.1:1/s', '--agents', '1', '--redis', secretUrl, '--run', 'mixed', '--agents-timeout', '1500ms', '--no-tui'], {env});
		assert.equal(result.code, 1, result.stderr);
		assert.ok(result.stdout.includes(`agent old on h9 runs sse-tui 9.9.9, this controller ${version}: left out; run the same sse-tui version everywhere`), result.stdout);
		assert.match(result.stderr, /only 0 of 1 agents registered on redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ for run "mixed" within 1\.5s: start more/);
		assert.doesNotMatch(result.stdout + result.stderr, /hunter2/);
		assert.match(result.stdout, /waiting for agents on redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ \(run "mixed"\): 0 of 1 registered/);
	});

	test('an agent refuses a controller of another version with one line', async () => {
		const client = redis.client();
		await client.set('sse-tui:other:controller', JSON.stringify({version: '9.9.9', protocol: 1, plan: null}), 'PX', 20_000);
		const result = await runCli(['agent', '--redis', redis.url, '--run', 'other', '--name', 'n1'], {env, timeoutMs: 15_000});
		assert.equal(result.code, 2, result.stderr);
		assert.ok(result.stderr.includes(`the controller runs sse-tui 9.9.9, this agent ${version}: run the same sse-tui version on the controller and every agent`), result.stderr);
		assert.equal(await client.exists('sse-tui:other:agent:n1'), 0, 'the refused agent left no registration behind');
	});
});
