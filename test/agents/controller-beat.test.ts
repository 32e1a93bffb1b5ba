import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {test} from 'node:test';
import {startControllerBeat} from '../../source/agents/controller-beat.js';
import {controllerLeaseMs} from '../../source/agents/protocol.js';
import {startTestRedis} from '../helpers/redis-server.js';

test('the controller\'s short lease lives through a 5 s stall of its main thread (the heartbeat has its own thread)', async t => {
	const redis = await startTestRedis();
	t.after(async () => redis.stop());
	const key = 'sse-tui:beat:controller';
	const beat = startControllerBeat({url: redis.url, key, value: '{"version":"x"}'}, () => undefined);
	t.after(async () => beat.stop());
	const client = redis.client();
	const deadline = Date.now() + 10_000;
	while (await client.exists(key) === 0) {
		assert.ok(Date.now() < deadline, 'the heartbeat thread set the lease');
		await new Promise(resolve => {
			setTimeout(resolve, 50);
		});
	}

	// Another process watches the key while this thread is stalled (no event loop: no timers, no Redis).
	const watcher = spawn('sh', ['-c', `for i in $(seq 30); do redis-cli -p ${redis.port} exists ${key}; sleep 0.2; done`]);
	let seen = '';
	watcher.stdout.setEncoding('utf8').on('data', (text: string) => {
		seen += text;
	});
	const watched = new Promise(resolve => {
		watcher.on('exit', resolve);
	});
	const stallMs = controllerLeaseMs + 2000;
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, stallMs);
	await watched;
	const answers = seen.trim().split('\n').map(Number);
	assert.ok(answers.length >= 20, `the watcher answered (${seen})`);
	assert.deepEqual(answers.filter(answer => answer !== 1), [], `the lease never lapsed during the ${stallMs} ms stall: ${answers.join('')}`);
});
