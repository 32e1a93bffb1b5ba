import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {basicAuthorization, redactHeaders, redactText, redactUrl} from '../source/redact.js';
import {runCli} from './helpers/cli.js';
import {eventStreamHeaders, startTestServer, type TestServer} from './helpers/http-server.js';

describe('redactHeaders', () => {
	const cases: Array<[name: string, value: string, shown: string]> = [
		['authorization', 'Bearer abc', '***'],
		['proxy-authorization', 'Basic abc', '***'],
		['cookie', 'sid=abc', '***'],
		['x-api-key', 'abc', '***'],
		['X-Auth-Token', 'abc', '***'],
		['Private-Token', 'abc', '***'],
		['x-session-id', 'abc', '***'],
		['x-client-secret', 'abc', '***'],
		['x-db-password', 'abc', '***'],
		['X-CSRF-TOKEN', 'abc', '***'],
		['accept', 'text/event-stream', 'text/event-stream'],
		['x-trace', 'abc', 'abc'],
		['user-agent', 'sse-tui', 'sse-tui'],
	];
	for (const [name, value, shown] of cases) {
		test(`${name}: ${shown}`, () => {
			assert.deepEqual(redactHeaders({[name]: value}), {[name]: shown});
			assert.deepEqual(redactHeaders({[name]: value}, {showValues: true}), {[name]: value}, '--show-header-values shows it');
		});
	}
});

describe('what the run prints', {concurrency: true}, () => {
	const args = ['--url', 'http://127.0.0.1:1/stream', '--duration', '200ms', '--no-tui', '--header', 'X-Auth-Token: s3cret-token', '--header', 'X-Trace: t1'];

	test('the banner hides credential header values', async () => {
		const result = await runCli(args);
		assert.match(result.stdout, /^ {2}headers {3}x-auth-token: \*\*\*; x-trace: t1$/m);
		assert.doesNotMatch(result.stdout + result.stderr, /s3cret/);
	});

	test('--show-header-values shows them', async () => {
		const result = await runCli([...args, '--show-header-values']);
		assert.match(result.stdout, /^ {2}headers {3}x-auth-token: s3cret-token; x-trace: t1$/m);
	});
});

describe('redactUrl', () => {
	const cases: Array<[string, string]> = [
		['http://user:pw@host:3000/stream', 'http://user:***@host:3000/stream'],
		['wss://user:p%40ss@host/cable', 'wss://user:***@host/cable'],
		['http://tok3n@host/stream', 'http://***@host/stream'],
		['http://host/stream?token=abc&room=1', 'http://host/stream?token=***&room=1'],
		['http://host/stream?room=1&api_key=abc#x', 'http://host/stream?room=1&api_key=***#x'],
		['http://host/stream?Session=abc', 'http://host/stream?Session=***'],
		['http://host:3000/dashboard/stream', 'http://host:3000/dashboard/stream'],
		['ftp://user:pw@host/x', 'ftp://user:***@host/x'],
		// Not a URL at all (a usage error quotes it): the same rules by pattern.
		['http://user:pw@ho st/x?secret=1', 'http://user:***@ho st/x?secret=***'],
		['not a url', 'not a url'],
	];
	for (const [url, shown] of cases) {
		test(`${url} -> ${shown}`, () => {
			assert.equal(redactUrl(url), shown);
		});
	}
});

describe('redactText (log lines quoting a request)', () => {
	const cases: Array<[string, string]> = [
		['GET /dashboard/stream?token=s3cr3t HTTP/1.1', 'GET /dashboard/stream?token=*** HTTP/1.1'],
		['path=/ws?room=1&token=s3cr3t&x=2', 'path=/ws?room=1&token=***&x=2'],
		['url="/cable?access_token=s3cr3t"', 'url="/cable?access_token=***"'],
		['authorization: Bearer s3cr3t-t0ken', 'authorization: Bearer ***'],
		['Authorization: Basic b3BzOnMzY3IzdA==', 'Authorization: Basic ***'],
		['redis://:s3cr3t@cache:6379/0 down', 'redis://:***@cache:6379/0 down'],
		['redis://ops:s3cr3t@cache:6379', 'redis://ops:***@cache:6379'],
		['basic setup done', 'basic setup done'],
		['/dashboard/stream?lastEventId=42', '/dashboard/stream?lastEventId=42'],
		['origin not allowed', 'origin not allowed'],
	];
	for (const [text, shown] of cases) {
		test(`${text} -> ${shown}`, () => {
			assert.equal(redactText(text), shown);
		});
	}
});

test('basicAuthorization: user and password decoded, as curl sends them', () => {
	assert.equal(basicAuthorization(new URL('http://user:pw@host/')), `Basic ${Buffer.from('user:pw').toString('base64')}`);
	assert.equal(basicAuthorization(new URL('http://us%40er:p%3Aw@host/')), `Basic ${Buffer.from('us@er:p:w').toString('base64')}`);
	assert.equal(basicAuthorization(new URL('http://host/')), undefined);
});

describe('a password in the URL', () => {
	let server: TestServer;
	let dir: string;
	before(async () => {
		dir = await mkdtemp(join(tmpdir(), 'sse-tui-redact-'));
		server = await startTestServer((_request, response) => {
			eventStreamHeaders(response);
			response.write(': hi\n\n');
		});
	});
	after(async () => {
		await server.close();
		await rm(dir, {recursive: true, force: true});
	});

	const secretUrl = () => server.url('/stream').replace('http://', 'http://ops:s3cr3t-pw@');

	test('is sent as Basic auth and printed nowhere: banner, --json target, NDJSON open', async () => {
		const events = join(dir, 'events.ndjson');
		const result = await runCli(['--url', secretUrl(), '--duration', '300ms', '--json', '--events', events]);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(server.requests[0]?.headers.authorization, `Basic ${Buffer.from('ops:s3cr3t-pw').toString('base64')}`);
		assert.equal(server.requests[0]?.path, '/stream', 'the request line carries no credentials');
		const log = await readFile(events, 'utf8');
		for (const output of [result.stdout, result.stderr, log]) {
			assert.doesNotMatch(output, /s3cr3t/);
		}

		const shown = server.url('/stream').replace('http://', 'http://ops:***@');
		assert.equal((JSON.parse(result.stdout) as {target: {url: string}}).target.url, shown);
		assert.match(result.stderr, new RegExp(`^ {2}target {4}${shown.replaceAll(/[.*?/]/g, '\\$&')}$`, 'm'));
		assert.match(result.stderr, /^ {2}headers {3}authorization: \*\*\*$/m);
		const open = log.split('\n').filter(Boolean).map(line => JSON.parse(line) as {kind: string; url?: string}).find(line => line.kind === 'open');
		assert.equal(open?.url, server.url('/stream'));
	});

	test('an Authorization header given with --header wins over the URL, as in curl', async () => {
		const before = server.requests.length;
		const result = await runCli(['--url', secretUrl(), '--duration', '300ms', '--header', 'Authorization: Bearer t', '--json']);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(server.requests[before]?.headers.authorization, 'Bearer t');
	});

	test('a usage error that quotes the URL hides the password', async () => {
		const result = await runCli(['--url', 'ftp://ops:s3cr3t-pw@host/x']);
		assert.equal(result.code, 2);
		assert.match(result.stderr, /\(got "ftp:\/\/ops:\*\*\*@host\/x"\)/);
		assert.doesNotMatch(result.stderr, /s3cr3t/);
	});
});
