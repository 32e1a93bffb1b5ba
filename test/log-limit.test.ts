import assert from 'node:assert/strict';
import {PassThrough} from 'node:stream';
import {describe, test} from 'node:test';
import {clip, createRepeatLimiter} from '../source/log-limit.js';
import {createLogger} from '../server/logger.js';
import {runCli} from './helpers/cli.js';

describe('repeated log lines (issue 17, defect 13)', () => {
	test('a kind of line past its burst is counted, and the count reported', () => {
		const reported: Array<[string, number]> = [];
		const limiter = createRepeatLimiter({burst: 3, windowMs: 60_000, onSuppressed: (key, count) => reported.push([key, count])});
		const admitted = Array.from({length: 10}, () => limiter.admit('a')).filter(Boolean).length;
		assert.equal(admitted, 3);
		assert.equal(limiter.admit('b'), true, 'another kind has its own burst');
		limiter.flush();
		assert.deepEqual(reported, [['a', 7]]);
	});

	test('clip cuts long quotes and says how much it cut', () => {
		assert.equal(clip('abc', 5), 'abc');
		assert.equal(clip('x'.repeat(250)), `${'x'.repeat(200)}…(+50 chars)`);
	});

	test('the server logger: 2,000 warnings quoting a 2 KB Origin write a few KB, not megabytes', () => {
		const stream = new PassThrough();
		let out = '';
		stream.on('data', (chunk: Buffer) => {
			out += chunk.toString();
		});
		const logger = createLogger({level: 'info', json: false, stream});
		const origin = `https://${'a'.repeat(2000)}.example`;
		for (let index = 0; index < 2000; index++) {
			logger.warn('cable rejected: origin not allowed', {origin});
		}

		assert.ok(out.length < 5000, `${out.length} bytes`);
		assert.equal(out.split('\n').filter(line => line.includes('origin not allowed')).length, 10);
		assert.match(out, /…\(\+\d+ chars\)/);
	});

	test('the server logger redacts tokens in what it quotes, text and JSON', () => {
		for (const json of [false, true]) {
			const stream = new PassThrough();
			let out = '';
			stream.on('data', (chunk: Buffer) => {
				out += chunk.toString();
			});
			createLogger({level: 'debug', json, stream}).debug('request', {path: '/dashboard/stream?token=s3cr3t&room=1', auth: 'Bearer s3cr3t'});
			assert.doesNotMatch(out, /s3cr3t/);
			assert.match(out, /token=\*\*\*&room=1/);
		}
	});

	test('the client prints 10 lines of a kind and a count, not one per client', async () => {
		const result = await runCli(['--url', 'http://127.0.0.1:1/x', '--clients', '200', '--ramp', '0', '--duration', '1500ms', '--no-tui', '--retry', '100ms', '--max-backoff', '200ms']);
		const refused = result.stdout.split('\n').filter(line => /client \d+ error \(connect\)/.test(line));
		assert.equal(refused.length, 10, result.stdout.slice(0, 2000));
		assert.match(result.stdout, /^WARN +\d+ more like "error \(connect\): connect ECONNREFUSED #\.#\.#\.#:#" in the last .* \(not printed\)$/m);
		assert.match(result.stdout, /=== Summary/);
	});
});
