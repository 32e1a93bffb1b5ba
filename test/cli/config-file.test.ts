import assert from 'node:assert/strict';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {eventStreamHeaders, startTestServer, type TestServer} from '../helpers/http-server.js';
import {runCli} from '../helpers/cli.js';

let dir: string;
let server: TestServer;

before(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sse-tui-config-cli-'));
	server = await startTestServer((request, response) => {
		eventStreamHeaders(response);
		let n = 0;
		const timer = setInterval(() => response.write(`data: {"seq":${++n}}\n\n`), 20);
		request.on('close', () => clearInterval(timer));
	});
	await writeFile(join(dir, 'sse-tui.config.json'), JSON.stringify({
		url: 'http://admin:hunter2@127.0.0.1:1/stream?api_key=k3y&room=1',
		header: ['Authorization: Bearer s3cret', 'X-Trace: visible'],
		clients: 3,
		watchRedis: 'redis://:redispw@127.0.0.1:6379',
		threshold: ['errors==0'],
		scenarios: {quick: {url: server.url(), duration: '600ms', clients: 2, tui: false}},
	}));
});

after(async () => {
	await server.close();
	await rm(dir, {recursive: true, force: true});
});

describe('sse-tui with a config file', () => {
	test('--print-config: the resolved settings as JSON, exit 0, nothing run, no secret shown', async () => {
		const result = await runCli(['--print-config', '--clients', '4'], {cwd: dir, env: {SSE_URL: 'http://envuser:envpw@127.0.0.1:2/'}});
		assert.equal(result.code, 0, result.stderr);
		const printed = JSON.parse(result.stdout) as Record<string, any>;
		assert.equal(printed['configFile'], join(dir, 'sse-tui.config.json'));
		assert.equal(printed['flags'].clients, '4');
		assert.equal(printed['sources'].clients, 'command line');
		assert.equal(printed['sources'].url, 'config file');
		assert.equal(printed['resolved'].clients, 4);
		assert.deepEqual(printed['resolved'].headers, {authorization: '***', 'x-trace': 'visible'});
		assert.deepEqual(printed['flags'].header, ['Authorization: ***', 'X-Trace: visible']);
		assert.equal(printed['resolved'].url, 'http://admin:***@127.0.0.1:1/stream?api_key=***&room=1');
		assert.equal(printed['environment'].SSE_URL, 'http://envuser:***@127.0.0.1:2/');
		for (const secret of ['hunter2', 'k3y', 's3cret', 'redispw', 'envpw']) {
			assert.ok(!result.stdout.includes(secret), `${secret} is not printed`);
		}

		assert.equal(result.stderr, '', 'no banner, no run');
	});

	test('a named scenario of the auto-found file runs, under the command line; --no-config ignores the file', async () => {
		const result = await runCli(['--scenario', 'quick', '--json'], {cwd: dir});
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stderr, /^sse-tui: settings from \.\/sse-tui\.config\.json \(--no-config ignores it\)$/m);
		const summary = JSON.parse(result.stdout) as {clients: {requested: number}; thresholds: unknown[]};
		assert.equal(summary.clients.requested, 2);
		const ignored = await runCli(['--no-config', '--print-config'], {cwd: dir});
		assert.equal(ignored.code, 0, ignored.stderr);
		assert.equal(JSON.parse(ignored.stdout).configFile, null);
		assert.equal(JSON.parse(ignored.stdout).resolved.clients, 1);
	});

	test('a mistake in the file: exit 2, one line naming the key and the fix, no stack', async () => {
		const bad = join(dir, 'bad');
		await mkdir(bad);
		await writeFile(join(bad, 'sse-tui.config.json'), '{"clients": 5, "durration": "1m"}');
		const result = await runCli(['--print-config'], {cwd: bad});
		assert.equal(result.code, 2);
		assert.match(result.stderr, /^sse-tui: sse-tui\.config\.json: unknown key "durration" \(did you mean "duration"\?\)/);
		assert.doesNotMatch(result.stderr, /\n\s+at /);
		assert.equal(result.stdout, '');
	});
});
