import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {redactHeaders} from '../source/redact.js';
import {runCli} from './helpers/cli.js';

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
