import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {runCli} from '../helpers/cli.js';
import {startTestServer, type TestServer} from '../helpers/server-start.js';
import type {Summary} from '../../source/reporters/summary.js';

let server: TestServer;
let dir: string;

before(async () => {
	server = await startTestServer();
	dir = await mkdtemp(join(tmpdir(), 'sse-tui-streams-'));
});

after(async () => {
	await server.close();
	await rm(dir, {recursive: true, force: true});
});

const echo = () => `${server.url}/stream/echo`;

describe('sse-tui request streams against serve\'s /stream/echo', () => {
	test('POST streams that end with [DONE]: every one completed, measured in --json, --events and thresholds', async () => {
		const events = join(dir, 'events.ndjson');
		const result = await runCli([
			'--url', echo(), '--method', 'POST', '--body', '{"events":20,"interval":"2ms","user":"u{{client}}-{{iteration}}"}',
			'--until-data', '[DONE]', '--then', 'stop', '--clients', '4', '--ramp', '0', '--json', '--events', events,
			'--threshold', 'completed>=99%', '--threshold', 'ttfe.p99<5s', '--threshold', 'stream.p99<10s',
		]);
		assert.equal(result.code, 0, result.stderr);
		const summary = JSON.parse(result.stdout) as Summary;
		assert.equal(summary.stoppedBy, 'finished');
		const streams = summary.streams!;
		assert.equal(streams.method, 'POST');
		assert.equal(streams.requests, 4);
		assert.equal(streams.completed, 4);
		assert.equal(streams.completedRatio, 1);
		assert.equal(streams.outcomes.marker, 4);
		assert.equal(streams.eventsPerStream!.p50, 21, '20 events and the [DONE] marker');
		assert.equal(streams.ttfeMs!.count, 4);
		assert.ok(streams.gapMs!.count >= 4 * 19);
		assert.deepEqual(summary.thresholds.map(item => item.passed), [true, true, true]);
		assert.equal(summary.delivery.resets, 0, 'each stream numbers its events afresh: no resets');
		const lines = (await readFile(events, 'utf8')).trim().split('\n').map(line => JSON.parse(line) as Record<string, unknown>);
		const ends = lines.filter(line => line['kind'] === 'stream');
		assert.equal(ends.length, 4);
		assert.ok(ends.every(line => line['outcome'] === 'marker' && line['events'] === 21 && typeof line['ttfeMs'] === 'number'));
		// The first event of each stream carries the body the server received: placeholders filled.
		const received = lines.filter(line => line['kind'] === 'event' && String(line['data']).includes('"request"')).map(line => (JSON.parse(String(line['data'])) as {request: {user: string}}).request.user).sort();
		assert.deepEqual(received, ['u1-1', 'u2-1', 'u3-1', 'u4-1']);
	});

	test('--then repeat opens the next request after [DONE]; --body-file bodies are used in turn', async () => {
		const file = join(dir, 'bodies.ndjson');
		await writeFile(file, '{"events":2,"interval":0,"tag":"a"}\n\n{"events":2,"interval":0,"tag":"b"}\n');
		const result = await runCli(['--url', echo(), '--method', 'POST', '--body-file', file, '--until-data', '[DONE]', '--clients', '1', '--duration', '1s', '--json']);
		assert.equal(result.code, 0, result.stderr);
		const summary = JSON.parse(result.stdout) as Summary;
		assert.equal(summary.streams!.then, 'repeat', 'the default for POST');
		assert.ok(summary.streams!.completed >= 5, `${summary.streams!.completed} streams completed in 1 s`);
		assert.equal(summary.streams!.outcomes.cut + summary.streams!.outcomes.error, 0);
		assert.equal(summary.reconnects, 0, 'a new request after a completed stream is not a reconnect');
	});

	test('streams the server cuts in the middle count as not completed, and a completed threshold fails', async () => {
		const result = await runCli(['--url', echo(), '--method', 'POST', '--body', '{"events":10,"interval":"2ms","cut_after":3}', '--until-data', '[DONE]', '--then', 'stop', '--clients', '3', '--json', '--threshold', 'completed>=99%']);
		assert.equal(result.code, 1, result.stderr);
		const summary = JSON.parse(result.stdout) as Summary;
		assert.equal(summary.streams!.completed, 0);
		assert.equal(summary.streams!.outcomes.cut, 3);
		assert.equal(summary.thresholds[0]!.passed, false);
		assert.equal(summary.thresholds[0]!.value, 0);
	});

	test('the text summary has the streams lines', async () => {
		const result = await runCli(['--url', echo(), '--method', 'POST', '--body', '{"events":3,"interval":0}', '--until-data', '[DONE]', '--then', 'stop', '--no-tui']);
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /^Streams: {10}1 requests \(POST, then stop, until data "\[DONE\]"\): 1 of 1 ended completed \(100%\)/m);
		assert.match(result.stdout, /^ {2}first event: {4}p50 /m);
		assert.match(result.stdout, /request 1: marker, 4 events/);
	});

	const usage: Array<[string[], RegExp]> = [
		[['--method', 'GE T'], /--method must be an HTTP method/],
		[['--body', 'x', '--body-file', 'y'], /--body and --body-file both give the request body/],
		[['--body', '@/nonexistent/body.json'], /--body @\/nonexistent\/body\.json: cannot read/],
		[['--then', 'again'], /--then must be one of reconnect, repeat, stop/],
		[['--think', '1s'], /--think waits between the requests of --then repeat/],
		[['--streams-per-connection', '10'], /--streams-per-connection shares HTTP\/2 connections: add --http2/],
		[['--proxy', 'socks5://127.0.0.1:1080'], /--proxy must be an http:\/\/ or https:\/\/ proxy/],
	];
	for (const [args, message] of usage) {
		test(`usage error: ${args.join(' ')}`, async () => {
			const result = await runCli(['--url', echo(), ...args]);
			assert.equal(result.code, 2);
			assert.match(result.stderr, message);
			assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
		});
	}
});
