import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import WebSocket from 'ws';
import {rawExchange, startTestServer, waitFor, type TestServer} from '../helpers/server-start.js';

const identifier = JSON.stringify({channel: 'DashboardUpdatesChannel'});

type CableClient = {ws: WebSocket; messages: Array<Record<string, any>>; closed(): boolean; send(value: unknown): void};

async function openCable(server: TestServer, options: {origin?: string; protocols?: string[]} = {}): Promise<CableClient> {
	const ws = new WebSocket(`${server.url.replace('http', 'ws')}/cable`, options.protocols ?? ['actioncable-v1-json', 'actioncable-unsupported'], {
		...(options.origin === undefined ? {} : {origin: options.origin}),
	});
	const messages: Array<Record<string, any>> = [];
	let closed = false;
	ws.on('message', data => {
		messages.push(JSON.parse(data.toString()) as Record<string, any>);
	});
	ws.on('close', () => {
		closed = true;
	});
	await new Promise<void>((resolve, reject) => {
		ws.once('open', resolve);
		ws.once('error', reject);
	});
	return {ws, messages, closed: () => closed, send: value => ws.send(typeof value === 'string' ? value : JSON.stringify(value))};
}

describe('GET /cable (ActionCable)', () => {
	test('selects actioncable-v1-json, welcomes, pings with unix seconds', async () => {
		const server = await startTestServer({cablePingMs: 50});
		try {
			const client = await openCable(server);
			assert.equal(client.ws.protocol, 'actioncable-v1-json');
			await waitFor(() => client.messages.filter(message => message['type'] === 'ping').length >= 2, 'two pings');
			assert.deepEqual(client.messages[0], {type: 'welcome'});
			const ping = client.messages.find(message => message['type'] === 'ping')!;
			assert.deepEqual(Object.keys(ping).sort(), ['message', 'type']);
			assert.ok(Number.isInteger(ping['message']) && Math.abs(ping['message'] - Date.now() / 1000) < 5);
			client.ws.close();
		} finally {
			await server.close();
		}
	});

	test('confirms subscriptions, streams broadcasts as {identifier, message}, stops after unsubscribe', async () => {
		const server = await startTestServer();
		try {
			const client = await openCable(server);
			const other = JSON.stringify({channel: 'ChatChannel', room: '1'});
			client.send({command: 'subscribe', identifier});
			client.send({command: 'subscribe', identifier: other});
			await waitFor(() => client.messages.length === 3, 'welcome and two confirmations');
			assert.deepEqual(client.messages[1], {identifier, type: 'confirm_subscription'});
			assert.deepEqual(client.messages[2], {identifier: other, type: 'confirm_subscription'});

			assert.equal(server.broadcast({type: 'test_update', n: 1}), 1, 'only the dashboard channel streams');
			await waitFor(() => client.messages.length === 4, 'the broadcast');
			assert.deepEqual(client.messages[3], {identifier, message: {type: 'test_update', n: 1}});

			client.send({command: 'message', identifier, data: JSON.stringify({action: 'speak'})});
			client.send({command: 'unsubscribe', identifier});
			await waitFor(() => server.stats().cableCommands.total === 4, 'the commands');
			assert.equal(server.broadcast({n: 2}), 0);
			assert.equal(server.stats().cable.messages, 1);
			assert.equal(client.messages.length, 4);
			client.ws.close();
		} finally {
			await server.close();
		}
	});

	test('one connection with two dashboard identifiers gets the broadcast once per identifier', async () => {
		const server = await startTestServer();
		try {
			const client = await openCable(server);
			const room = JSON.stringify({channel: 'DashboardUpdatesChannel', room: 'a'});
			client.send({command: 'subscribe', identifier});
			client.send({command: 'subscribe', identifier: room});
			await waitFor(() => client.messages.length === 3, 'confirmations');
			server.broadcast({n: 1});
			await waitFor(() => client.messages.length === 5, 'two deliveries');
			assert.deepEqual(client.messages.slice(3).map(message => message['identifier']).sort(), [identifier, room].sort());
			client.ws.close();
		} finally {
			await server.close();
		}
	});

	test('malformed frames are ignored or rejected and the server stays up', async () => {
		const server = await startTestServer();
		try {
			const client = await openCable(server);
			client.send('not json');
			client.send('[]');
			client.send('null');
			client.send({command: 42});
			client.send({command: 'subscribe'});
			client.send({command: 'subscribe', identifier: 'not json'});
			client.send({command: 'subscribe', identifier: '{"room":"no channel"}'});
			client.send({command: 'dance', identifier});
			client.send({command: 'unsubscribe', identifier});
			client.ws.send(Buffer.from([1, 2, 3]));
			client.send({command: 'subscribe', identifier});
			await waitFor(() => client.messages.some(message => message['type'] === 'confirm_subscription'), 'the valid subscription');
			assert.deepEqual(
				client.messages.filter(message => message['type'] === 'reject_subscription').map(message => message['identifier']),
				['not json', '{"room":"no channel"}'],
			);
			assert.equal(client.closed(), false);
			assert.ok(server.stats().cableCommands.invalid >= 9);
			const health = await fetch(`${server.url}/health`);
			assert.equal(await health.text(), 'OK');
			client.ws.close();
		} finally {
			await server.close();
		}
	});

	test('an Origin outside --allowed-origins is refused with a readable 403', async () => {
		const server = await startTestServer();
		try {
			await assert.rejects(openCable(server, {origin: 'https://evil.example'}), /Unexpected server response: 403/);
			const reply = await rawExchange(
				server.url,
				'GET /cable HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
			);
			assert.match(reply, /^HTTP\/1\.1 403 Forbidden/);
			assert.match(reply, /--allowed-origins https:\/\/evil\.example/);
			assert.equal(server.stats().rejected.origin, 2);
			const local = await openCable(server, {origin: 'http://localhost:5173'});
			local.ws.close();
		} finally {
			await server.close();
		}

		const open = await startTestServer({allowedOrigins: ['https://app.example']});
		try {
			const client = await openCable(open, {origin: 'https://app.example'});
			client.ws.close();
			await assert.rejects(openCable(open, {origin: 'http://localhost:5173'}), /403/);
		} finally {
			await open.close();
		}
	});

	test('shutdown sends disconnect server_restart with reconnect true, then closes', async () => {
		const server = await startTestServer();
		const client = await openCable(server);
		client.send({command: 'subscribe', identifier});
		await waitFor(() => client.messages.length === 2, 'the confirmation');
		await server.close();
		await waitFor(() => client.closed(), 'the close');
		assert.deepEqual(client.messages.at(-1), {type: 'disconnect', reason: 'server_restart', reconnect: true});
	});
});

describe('GET /ws (plain WebSocket)', () => {
	async function openWs(server: TestServer, options: WebSocket.ClientOptions = {}): Promise<{ws: WebSocket; messages: string[]; pings: () => number; closed: () => boolean}> {
		const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, options);
		const messages: string[] = [];
		let pings = 0;
		let closed = false;
		ws.on('message', data => messages.push(data.toString()));
		ws.on('ping', () => pings++);
		ws.on('close', () => {
			closed = true;
		});
		await new Promise<void>((resolve, reject) => {
			ws.once('open', resolve);
			ws.once('error', reject);
		});
		return {ws, messages, pings: () => pings, closed: () => closed};
	}

	test('every broadcast arrives as one JSON text frame, in order', async () => {
		const server = await startTestServer();
		try {
			const client = await openWs(server);
			await waitFor(() => server.stats().ws.current === 1, 'the subscriber');
			for (let index = 0; index < 50; index++) {
				server.broadcast({index, text: 'ünïcode'});
			}

			await waitFor(() => client.messages.length === 50, 'fifty frames');
			assert.deepEqual(client.messages.map(text => (JSON.parse(text) as {index: number}).index), [...Array.from({length: 50}).keys()]);
			assert.equal(JSON.parse(client.messages[0]!).text, 'ünïcode');
			client.ws.close();
		} finally {
			await server.close();
		}
	});

	test('pings every --heartbeat; a peer that never pongs is terminated', async () => {
		const server = await startTestServer({heartbeatMs: 150});
		try {
			const live = await openWs(server);
			const dead = await openWs(server, {autoPong: false});
			await waitFor(() => dead.closed(), 'the silent peer to be terminated');
			await waitFor(() => live.pings() >= 2, 'a second ping at the live peer');
			assert.equal(live.closed(), false);
			assert.equal(server.stats().drops.deadPeer, 1);
			server.broadcast({still: 'here'});
			await waitFor(() => live.messages.length === 1, 'the live peer to keep receiving');
			live.ws.close();
		} finally {
			await server.close();
		}
	});

	test('a connection cap counts every protocol; upgrades beyond it get 503', async () => {
		const server = await startTestServer({maxConnections: 1});
		try {
			const client = await openWs(server);
			await assert.rejects(openWs(server), /Unexpected server response: 503/);
			await assert.rejects(openCable(server), /503/);
			const sse = await fetch(`${server.url}/dashboard/stream`);
			assert.equal(sse.status, 503);
			await sse.arrayBuffer();
			assert.equal(server.stats().rejected.capacity, 3);
			client.ws.close();
		} finally {
			await server.close();
		}
	});

	test('shutdown closes ws clients with 1001', async () => {
		const server = await startTestServer();
		const client = await openWs(server);
		const code = new Promise<number>(resolve => client.ws.once('close', resolve));
		await server.close();
		assert.equal(await code, 1001);
	});
});
