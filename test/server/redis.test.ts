import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {PassThrough} from 'node:stream';
import WebSocket from 'ws';
import {resolveServeOptions} from '../../server/cli.js';
import {parseRedisUrl, redactRedisUrl} from '../../source/redis-url.js';
import {UsageError} from '../../source/errors.js';
import {serverBinPath, startCommand} from '../helpers/cli.js';
import {startTestRedis, type TestRedis} from '../helpers/redis-server.js';
import {openRawSse, startTestServer, waitFor, type RawSse, type TestServer} from '../helpers/server-start.js';
import type {ServerOptions} from '../../server/server.js';

const identifier = JSON.stringify({channel: 'DashboardUpdatesChannel'});

type Socket = {ws: WebSocket; messages: Array<Record<string, any>>; close(): void};

async function openSocket(server: TestServer, path: '/cable' | '/ws'): Promise<Socket> {
	const ws = new WebSocket(`${server.url.replace('http', 'ws')}${path}`, path === '/cable' ? ['actioncable-v1-json'] : []);
	const messages: Array<Record<string, any>> = [];
	ws.on('message', data => {
		messages.push(JSON.parse(data.toString()) as Record<string, any>);
	});
	ws.on('error', () => {});
	await new Promise<void>((resolve, reject) => {
		ws.once('open', resolve);
		ws.once('error', reject);
	});
	if (path === '/cable') {
		ws.send(JSON.stringify({command: 'subscribe', identifier}));
		await waitFor(() => messages.some(message => message['type'] === 'confirm_subscription'), 'the cable confirmation');
	}

	return {ws, messages, close: () => ws.terminate()};
}

/** Broadcast payloads a client got: SSE data, cable `message`s, ws frames. */
const cableMessages = (socket: Socket): unknown[] => socket.messages.filter(message => 'message' in message && message['identifier'] === identifier).map(message => message['message'] as unknown);
const sseData = (sse: RawSse): unknown[] => sse.events().map(event => JSON.parse(event.data) as unknown);

async function startRedisServer(redis: TestRedis, overrides: Partial<ServerOptions> = {}): Promise<TestServer> {
	const server = await startTestServer({redisUrl: redis.url, redisMaxBackoffMs: 200, ...overrides});
	await waitFor(() => server.stats().redis?.state === 'connected', 'the Redis connection');
	return server;
}

async function debugState(server: TestServer): Promise<unknown> {
	const response = await fetch(`${server.url}/dashboard/debug`);
	return ((await response.json()) as Record<string, unknown>)['redis'];
}

/** Our CLIENT LIST entries per instance, found by the name both connections carry. */
async function connectionsOf(redis: TestRedis, server: TestServer): Promise<string[]> {
	const list = (await redis.client().client('LIST')) as string;
	const instance = server.stats().redis!.instance;
	return list.split('\n').filter(line => line.includes(`name=sse-tui-serve:${instance}:`));
}

describe('Redis fan-out across instances', () => {
	let redis: TestRedis;
	before(async () => {
		redis = await startTestRedis();
	});
	after(async () => {
		await redis.stop();
	});

	test('every SSE, cable and ws client of two instances gets every published message exactly once', async () => {
		const servers = [await startRedisServer(redis), await startRedisServer(redis)];
		const clients: Array<{sse: RawSse; cable: Socket; ws: Socket}> = [];
		try {
			for (const server of servers) {
				clients.push({sse: await openRawSse(server.url), cable: await openSocket(server, '/cable'), ws: await openSocket(server, '/ws')});
				await waitFor(() => server.stats().sse.current === 1 && server.stats().ws.current === 1, 'the clients');
			}

			const publisher = redis.client();
			assert.equal(await publisher.publish('dashboard_updates', JSON.stringify({n: 1})), 2, 'one subscription per instance');
			await publisher.publish('dashboard_updates', 'plain text');
			const trigger = (await (await fetch(`${servers[0]!.url}/dashboard/trigger-test?count=3`, {method: 'POST'})).json()) as Record<string, any>;
			assert.equal(trigger['via'], 'redis');
			assert.deepEqual(trigger['redis'].receivers, {total: 6, min: 2, max: 2});
			await publisher.publish('dashboard_updates', JSON.stringify({n: 2}));

			for (const [index, {sse, cable, ws}] of clients.entries()) {
				await waitFor(() => sse.events().length >= 6 && cableMessages(cable).length >= 6 && ws.messages.length >= 6, `six messages on instance ${index + 1}`);
				await new Promise(resolve => {
					setTimeout(resolve, 100); // Room for a duplicate to show up.
				});
				for (const received of [sseData(sse), cableMessages(cable), ws.messages]) {
					assert.equal(received.length, 6);
					assert.deepEqual(received[0], {n: 1});
					assert.equal(received[1], 'plain text');
					assert.deepEqual(
						received.slice(2, 5).map(message => (message as Record<string, unknown>)['type']),
						['test_update', 'test_update', 'test_update'],
					);
					assert.deepEqual(received[5], {n: 2});
				}
			}

			// Same stream ids on both instances, in order: a resume can go to either.
			const ids = clients.map(({sse}) => sse.events().map(event => event.id));
			assert.deepEqual(ids[0], ids[1]);
			assert.ok(ids[0]!.every(id => /^\d+-\d+$/.test(id!)), String(ids[0]));
			assert.equal(servers[0]!.stats().redis!.messagesReceived, 6);
		} finally {
			for (const {sse, cable, ws} of clients) {
				sse.close();
				cable.close();
				ws.close();
			}

			await Promise.all(servers.map(async server => server.close()));
		}
	});

	test('byte-identical messages stay distinct events with the same ids everywhere, also on a late instance', async () => {
		const options = {redisChannel: 'repeat_test'};
		const servers = [await startRedisServer(redis, options), await startRedisServer(redis, options)];
		try {
			const streams = await Promise.all(servers.map(async server => openRawSse(server.url)));
			await waitFor(() => servers.every(server => server.stats().sse.current === 1), 'the clients');
			const publisher = redis.client();
			for (let index = 0; index < 3; index++) {
				await publisher.publish('repeat_test', '{"same":1}');
			}

			await waitFor(() => streams.every(sse => sse.events().length === 3), 'three events each');
			const ids = streams.map(sse => sse.events().map(event => event.id));
			assert.deepEqual(ids[0], ids[1]);
			assert.equal(new Set(ids[0]).size, 3);
			assert.equal(await publisher.xlen('sse-tui:replay:repeat_test'), 3);

			// A newcomer must not mistake the next repeat for one published before it listened.
			servers.push(await startRedisServer(redis, options));
			streams.push(await openRawSse(servers[2]!.url));
			await waitFor(() => servers[2]!.stats().sse.current === 1, 'the late client');
			await publisher.publish('repeat_test', '{"same":1}');
			await waitFor(() => streams[0]!.events().length === 4 && streams[2]!.events().length === 1, 'the fourth');
			assert.equal(streams[2]!.events()[0]!.id, streams[0]!.events()[3]!.id);
			assert.ok(!ids[0]!.includes(streams[2]!.events()[0]!.id));
			assert.equal(await publisher.xlen('sse-tui:replay:repeat_test'), 4);
			for (const sse of streams) {
				sse.close();
			}
		} finally {
			await Promise.all(servers.map(async server => server.close()));
		}
	});

	test('two Redis connections per instance whatever the number of subscribers', async () => {
		const servers = [await startRedisServer(redis), await startRedisServer(redis)];
		const streams: RawSse[] = [];
		try {
			for (const server of servers) {
				for (let index = 0; index < 25; index++) {
					streams.push(await openRawSse(server.url));
				}
			}

			const sockets = await Promise.all(servers.flatMap(server => Array.from({length: 5}, async () => openSocket(server, '/cable'))));
			await waitFor(() => servers.every(server => server.stats().sse.current === 25 && server.stats().cable.current === 5), '30 subscribers per instance');
			for (const server of servers) {
				const connections = await connectionsOf(redis, server);
				assert.equal(connections.length, 2, connections.join('\n'));
				assert.ok(connections.some(line => / cmd=(subscribe|ssubscribe)\b/.test(line) || / sub=[12] /.test(line)), 'one of them is the subscriber');
			}

			await redis.client().publish('dashboard_updates', '{"all":true}');
			await waitFor(() => streams.every(sse => sse.events().length === 1), 'the message on all 50 streams');
			await waitFor(() => sockets.every(socket => cableMessages(socket).length === 1), 'the message on all 10 cables');
			for (const socket of sockets) {
				socket.close();
			}
		} finally {
			for (const sse of streams) {
				sse.close();
			}

			await Promise.all(servers.map(async server => server.close()));
		}
	});

	test('a Rails cable adapter broadcast on P:dashboard_updates reaches cable clients as Rails delivers it', async () => {
		const server = await startRedisServer(redis, {cablePrefix: 'dashboard_production'});
		try {
			const cable = await openSocket(server, '/cable');
			const sse = await openRawSse(server.url);
			await waitFor(() => server.stats().sse.current === 1, 'the SSE client');
			// What ActionCable.server.broadcast('dashboard_updates', {...}) publishes with channel_prefix.
			const message = {type: 'test_update', message: 'from Rails', random_value: 7};
			assert.equal(await redis.client().publish('dashboard_production:dashboard_updates', JSON.stringify(message)), 1);
			await waitFor(() => cableMessages(cable).length === 1 && sse.events().length === 1, 'the Rails broadcast');
			assert.deepEqual(cable.messages.at(-1), {identifier, message});
			assert.deepEqual(sseData(sse), [message]);
			assert.deepEqual(server.stats().redis!.channels, ['dashboard_updates', 'dashboard_production:dashboard_updates']);
			cable.close();
			sse.close();
		} finally {
			await server.close();
		}
	});

	test('an SSE client resumes on another instance, and on a restarted one, with exactly the missed events', async () => {
		const options = {replay: 50, redisChannel: 'resume_test'}; // A stream of its own.
		const first = await startRedisServer(redis, options);
		const second = await startRedisServer(redis, options);
		const publisher = redis.client();
		const publish = async (n: number): Promise<void> => {
			await publisher.publish('resume_test', JSON.stringify({n}));
		};

		let restarted: TestServer | undefined;
		try {
			const client = await openRawSse(first.url);
			await waitFor(() => first.stats().sse.current === 1, 'the client');
			for (let n = 1; n <= 3; n++) {
				await publish(n);
			}

			await waitFor(() => client.events().length === 3, 'events 1..3');
			client.close();
			await waitFor(() => first.stats().sse.current === 0, 'the cut');
			for (let n = 4; n <= 6; n++) {
				await publish(n);
			}

			await waitFor(() => second.stats().broadcasts === 6, 'instance 2 to deliver 6');
			const lastId = client.events().at(-1)!.id!;
			const resumed = await openRawSse(second.url, '/dashboard/stream', {'Last-Event-ID': lastId});
			await waitFor(() => resumed.events().length === 3, 'the three missed events');
			await publish(7);
			await waitFor(() => resumed.events().length === 4, 'the next live event');
			await new Promise(resolve => {
				setTimeout(resolve, 100);
			});
			assert.deepEqual(sseData(resumed), [{n: 4}, {n: 5}, {n: 6}, {n: 7}]);
			assert.ok(!resumed.body().includes('replay gap'));

			// Instance 1 goes away and comes back (a new process, empty memory); the stream remembers.
			const seen = resumed.events().at(-1)!.id!;
			resumed.close();
			await first.close();
			for (let n = 8; n <= 9; n++) {
				await publish(n);
			}

			restarted = await startRedisServer(redis, options);
			const again = await openRawSse(restarted.url, '/dashboard/stream', {'Last-Event-ID': seen});
			await waitFor(() => again.events().length === 2, 'events 8 and 9 from the restarted instance');
			assert.deepEqual(sseData(again), [{n: 8}, {n: 9}]);
			assert.equal(restarted.stats().replay.gaps, 0);

			// An id the stream never issued is a gap: everything held, announced.
			const stranger = await openRawSse(restarted.url, '/dashboard/stream', {'Last-Event-ID': '99999999999999-0'});
			await waitFor(() => stranger.events().length === 9, 'all nine held events');
			assert.match(stranger.body(), /: replay gap/);
			again.close();
			stranger.close();
		} finally {
			await Promise.all([first.close(), second.close(), restarted?.close()]);
		}
	});

	test('resume while a publish burst is in flight loses and repeats nothing', async () => {
		const server = await startRedisServer(redis, {replay: 500, redisChannel: 'burst_test'});
		const publisher = redis.client();
		try {
			const client = await openRawSse(server.url);
			await waitFor(() => server.stats().sse.current === 1, 'the client');
			await publisher.publish('burst_test', JSON.stringify({n: 0}));
			await waitFor(() => client.events().length === 1, 'event 0');
			client.close();
			const burst = Promise.all(Array.from({length: 200}, async (_, index) => publisher.publish('burst_test', JSON.stringify({n: index + 1}))));
			const resumed = await openRawSse(server.url, '/dashboard/stream', {'Last-Event-ID': client.events()[0]!.id!});
			await burst;
			await waitFor(() => resumed.events().length >= 200, 'the burst');
			await new Promise(resolve => {
				setTimeout(resolve, 100);
			});
			assert.deepEqual(
				sseData(resumed).map(data => (data as {n: number}).n),
				Array.from({length: 200}, (_, index) => index + 1),
			);
			resumed.close();
		} finally {
			await server.close();
		}
	});

	test('the --interval update goes out once per interval for the whole cluster, not once per instance', async () => {
		const servers = [await startRedisServer(redis, {intervalMs: 150, redisChannel: 'ticker_test'}), await startRedisServer(redis, {intervalMs: 150, redisChannel: 'ticker_test'})];
		try {
			const streams = await Promise.all(servers.map(async server => openRawSse(server.url)));
			await new Promise(resolve => {
				setTimeout(resolve, 1000);
			});
			const counts = streams.map(sse => sse.events().length);
			// ~6 in a second from one lease holder; ~13 would mean both instances ticked.
			assert.ok(counts.every(count => count >= 3 && count <= 9), `updates per client: ${counts.join(', ')}`);
			assert.deepEqual(
				streams[0]!.events().slice(0, 3).map(event => event.id),
				streams[1]!.events().slice(0, 3).map(event => event.id),
			);
			for (const sse of streams) {
				sse.close();
			}
		} finally {
			await Promise.all(servers.map(async server => server.close()));
		}
	});
});

describe('Redis outages', () => {
	test('servers keep serving while Redis is down, deliver locally, and resume fan-out when it is back', async () => {
		const redis = await startTestRedis();
		const servers = [await startRedisServer(redis), await startRedisServer(redis)];
		try {
			const streams = await Promise.all(servers.map(async server => openRawSse(server.url)));
			await waitFor(() => servers.every(server => server.stats().sse.current === 1), 'the clients');
			await redis.kill();
			await waitFor(() => servers.every(server => server.stats().redis?.state === 'reconnecting'), 'both to notice');
			for (const server of servers) {
				assert.equal(await debugState(server), 'reconnecting');
				const health = await fetch(`${server.url}/health`);
				assert.equal(await health.text(), 'OK');
			}

			const response = await fetch(`${servers[0]!.url}/dashboard/trigger-test?count=2`, {method: 'POST'});
			const body = (await response.json()) as Record<string, any>;
			assert.equal(response.status, 200);
			assert.equal(body['via'], 'local');
			assert.equal(body['deliveries'], 2);
			assert.match(body['fallback'], /Redis is reconnecting: 2 of 2 updates were broadcast to this instance's subscribers only/);
			await waitFor(() => streams[0]!.events().length === 2, 'the local trigger');
			assert.equal(streams[1]!.events().length, 0, 'instance 2 cannot hear it without Redis');
			const localIds = streams[0]!.events().map(event => event.id!);
			assert.ok(localIds.every(id => /^\d+-\d+$/.test(id)), `local ids keep the stream's form: ${localIds.join(', ')}`);

			await redis.restart();
			await waitFor(() => servers.every(server => server.stats().redis?.state === 'connected'), 'both to reconnect', 10_000);
			const stats = (await (await fetch(`${servers[1]!.url}/dashboard/stats`)).json()) as Record<string, any>;
			assert.equal(stats['redis'].state, 'connected');
			assert.equal(stats['redis'].reconnects, 1);
			assert.ok(stats['redis'].retries >= 1);
			assert.equal(await redis.client().publish('dashboard_updates', '{"back":true}'), 2);
			await waitFor(() => streams[0]!.events().length === 3 && streams[1]!.events().length === 1, 'the message on both');
			assert.deepEqual(sseData(streams[1]!), [{back: true}]);
			// Ids keep increasing across the switch, so a client's Last-Event-ID stays meaningful.
			const [lastLocal, firstAfter] = [localIds.at(-1)!, streams[0]!.events()[2]!.id!].map(id => id.split('-').map(Number) as [number, number]);
			assert.ok(firstAfter![0] > lastLocal![0] || (firstAfter![0] === lastLocal![0] && firstAfter![1] > lastLocal![1]));
			for (const sse of streams) {
				sse.close();
			}
		} finally {
			await Promise.all(servers.map(async server => server.close()));
			await redis.stop();
		}
	});

	test('a server started while Redis is down serves at once and joins when Redis appears', async () => {
		const redis = await startTestRedis();
		await redis.kill();
		const logStream = new PassThrough();
		const started = Date.now();
		const server = await startTestServer({redisUrl: redis.url.replace('redis://', 'redis://:hunter2@'), redisMaxBackoffMs: 200});
		try {
			assert.ok(Date.now() - started < 3000, 'startup is not held up by Redis');
			assert.equal(server.stats().redis?.state, 'reconnecting');
			assert.equal(server.stats().redis?.url, `redis://:***@127.0.0.1:${redis.port}`);
			const sse = await openRawSse(server.url);
			await waitFor(() => server.stats().sse.current === 1, 'the client');
			server.broadcast({local: 1});
			await waitFor(() => sse.events().length === 1, 'a local broadcast');
			await redis.restart();
			await waitFor(() => server.stats().redis?.state === 'connected', 'the late connection', 10_000);
			await redis.client().publish('dashboard_updates', '{"late":1}');
			await waitFor(() => sse.events().length === 2, 'the Redis message');
			assert.ok(!server.logs().includes('hunter2'), server.logs());
			assert.match(server.logs(), /redis unreachable/);
			sse.close();
			logStream.destroy();
		} finally {
			await server.close();
			await redis.stop();
		}
	});
});

describe('sse-tui serve --redis (command)', () => {
	test('prints the Redis line in the banner without the password, and Redis counts at exit', async () => {
		const redis = await startTestRedis();
		const child = startCommand(serverBinPath, ['--port', '0', '--redis', `redis://:hunter2@127.0.0.1:${redis.port}`, '--cable-prefix', 'app_production'], {
			env: {SSE_PORT: '', PORT: '', LOG_LEVEL: '', REDIS_URL: ''},
		});
		try {
			await waitFor(() => child.stdout().includes('Press Ctrl-C'), 'the banner', 10_000);
			assert.match(child.stdout(), new RegExp(`  Redis        redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port} channels dashboard_updates, app_production:dashboard_updates \\(connected\\)`));
			assert.equal(await redis.client().publish('dashboard_updates', '{"x":1}'), 1);
			child.kill('SIGTERM');
			assert.equal(await child.code, 0, child.stderr());
			assert.match(child.stdout(), /  redis  1 messages received, 0 published, 0 reconnects/);
			assert.ok(!(child.stdout() + child.stderr()).includes('hunter2'), child.stdout() + child.stderr());
		} finally {
			child.kill('SIGKILL');
			await redis.stop();
		}
	});
});

describe('Redis options', () => {
	test('--redis, REDIS_URL, --redis-channel and --cable-prefix resolve into server options', () => {
		const options = resolveServeOptions({redis: 'redis://:pw@cache:6380/2', redisChannel: 'updates', cablePrefix: 'app_production'}, {});
		assert.equal(options.redisUrl, 'redis://:pw@cache:6380/2');
		assert.equal(options.redisChannel, 'updates');
		assert.equal(options.cablePrefix, 'app_production');
		assert.equal(resolveServeOptions({}, {REDIS_URL: 'localhost:6379'}).redisUrl, 'redis://localhost:6379');
		assert.equal(resolveServeOptions({}, {REDIS_URL: ''}).redisUrl, undefined);
		assert.equal(resolveServeOptions({}, {}).redisChannel, 'dashboard_updates');
	});

	test('bad Redis flags are usage errors that never echo the password', () => {
		const cases: Array<[Parameters<typeof resolveServeOptions>[0], RegExp]> = [
			[{redis: 'http://:pw@host'}, /^--redis must be a redis:\/\/ or rediss:\/\/ URL.*\(got "http:\/\/:\*\*\*@host"\)$/],
			[{redis: 'redis://:pw@host/x'}, /^--redis may only have a database number/],
			[{cablePrefix: 'p'}, /^--cable-prefix needs --redis URL/],
			[{redisChannel: 'x'}, /^--redis-channel needs --redis URL/],
			[{redis: 'redis://h', redisChannel: 'a b'}, /^--redis-channel must be a channel name/],
		];
		for (const [flags, message] of cases) {
			assert.throws(() => resolveServeOptions(flags, {}), (error: unknown) => error instanceof UsageError && message.test(error.message) && !error.message.includes('pw'), JSON.stringify(flags));
		}
	});

	test('redactRedisUrl hides passwords', () => {
		assert.equal(redactRedisUrl('redis://:secret@host:6379/0'), 'redis://:***@host:6379/0');
		assert.equal(redactRedisUrl('rediss://user:secret@host'), 'rediss://user:***@host');
		assert.equal(redactRedisUrl('redis://host:6379'), 'redis://host:6379');
		assert.equal(parseRedisUrl('127.0.0.1:6379', '--redis'), 'redis://127.0.0.1:6379');
	});
});
