import assert from 'node:assert/strict';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {fillBody, resolveRequest} from '../source/config-request.js';
import {resolveConfig} from '../source/config.js';
import {planWorkers} from '../source/workers/plan.js';

const url = 'http://127.0.0.1:3001/stream/echo';
let dir: string;

before(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sse-tui-request-'));
});

after(async () => {
	await rm(dir, {recursive: true, force: true});
});

describe('request flags', () => {
	test('none given: no request config and the fast reader (nothing changes for the GET stream)', () => {
		const config = resolveConfig({url});
		assert.equal(config.request, undefined);
		assert.equal(config.transport, undefined);
	});

	test('defaults: JSON content type with a body; --then repeat for POST, reconnect for GET', () => {
		const post = resolveRequest({method: 'post', body: '{"a":1}'}, url, {}, {}).request!;
		assert.equal(post.method, 'POST');
		assert.equal(post.contentType, 'application/json');
		assert.equal(post.then, 'repeat');
		assert.equal(resolveRequest({untilData: '[DONE]'}, url, {}, {}).request!.then, 'reconnect');
		assert.equal(resolveRequest({body: 'x', contentType: 'text/plain'}, url, {}, {}).request!.contentType, 'text/plain');
		assert.equal(resolveRequest({body: 'x'}, url, {'content-type': 'text/csv'}, {}).request!.contentType, undefined, 'the --header is sent as is');
	});

	test('--body @FILE and @- read the file and stdin; --body-file is NDJSON checked line by line', async () => {
		const file = join(dir, 'body.json');
		await writeFile(file, '{"prompt":"hi"}');
		assert.deepEqual(resolveRequest({body: `@${file}`}, url, {}, {}).request!.bodies, ['{"prompt":"hi"}']);
		assert.deepEqual(resolveRequest({body: '@-'}, url, {}, {}, {stdin: () => 'from stdin'}).request!.bodies, ['from stdin']);
		const lines = join(dir, 'bodies.ndjson');
		await writeFile(lines, '{"n":{{iteration}}}\n\n{"n":2}\r\n');
		assert.deepEqual(resolveRequest({bodyFile: lines}, url, {}, {}).request!.bodies, ['{"n":{{iteration}}}', '{"n":2}']);
		await writeFile(lines, '{"n":1}\nnot json\n');
		assert.throws(() => resolveRequest({bodyFile: lines}, url, {}, {}), /line 2 is not JSON/);
	});

	test('fillBody fills every placeholder', () => {
		assert.equal(fillBody('{{client}}/{{iteration}}/{{client}}', 3, 9), '3/9/3');
	});

	test('the proxy comes from the environment as curl reads it; --http2 and --compressed pick undici', () => {
		assert.equal(resolveRequest({}, url, {}, {http_proxy: 'http://p:1'}).transport!.proxy, 'http://p:1');
		assert.equal(resolveRequest({}, url, {}, {http_proxy: 'http://p:1', NO_PROXY: '127.0.0.1'}).transport, undefined);
		assert.equal(resolveRequest({http2: true}, url, {}, {}).transport!.http2, true);
		assert.equal(resolveRequest({compressed: true}, url, {}, {}).transport!.compressed, true);
	});

	test('not for WebSocket; across worker processes, each runs its own', () => {
		assert.throws(() => resolveConfig({url: 'ws://127.0.0.1:3001/cable', protocol: 'websocket', method: 'POST'}), /--method is for SSE streams/);
		assert.equal(planWorkers(resolveConfig({url, method: 'POST', workers: '2'}), {limit: 20_000, cores: 2}).workers, 2);
		assert.equal(planWorkers(resolveConfig({url, http2: true, workers: '2'}), {limit: 20_000, cores: 2}).workers, 2);
	});
});
