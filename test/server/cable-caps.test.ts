import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import WebSocket from 'ws';
import {maxRefusedCommands, maxSubscriptions} from '../../server/cable-endpoint.js';
import {openRawSse, startTestServer, waitFor, type RawSse, type TestServer} from '../helpers/server-start.js';

type Cable = {ws: WebSocket; messages: Array<Record<string, any>>; closeCode(): number | undefined};

async function openCable(server: TestServer): Promise<Cable> {
	const ws = new WebSocket(`${server.url.replace('http', 'ws')}/cable`, ['actioncable-v1-json']);
	const messages: Array<Record<string, any>> = [];
	let code: number | undefined;
	ws.on('message', data => {
		messages.push(JSON.parse(data.toString()) as Record<string, any>);
	});
	ws.on('close', closeCode => {
		code = closeCode;
	});
	ws.on('error', () => {});
	await new Promise<void>((resolve, reject) => {
		ws.once('open', resolve);
		ws.once('error', reject);
	});
	return {ws, messages, closeCode: () => code};
}

const dashboard = JSON.stringify({channel: 'DashboardUpdatesChannel'});

describe('/cable per-socket caps: one hostile socket, everyone else keeps receiving', () => {
	let server: TestServer;
	let bystander: Cable;
	let sse: RawSse;
	before(async () => {
		server = await startTestServer();
		bystander = await openCable(server);
		bystander.ws.send(JSON.stringify({command: 'subscribe', identifier: dashboard}));
		sse = await openRawSse(server.url);
		await waitFor(() => bystander.messages.some(message => message['type'] === 'confirm_subscription'), 'the bystander subscribed');
	});
	after(async () => {
		bystander.ws.close();
		sse.close();
		await server.close();
	});

	/** A broadcast now reaches the SSE reader and the cable bystander. */
	async function stillReceiving(n: number): Promise<void> {
		server.broadcast({n});
		await waitFor(() => bystander.messages.some(message => message['message']?.n === n), `broadcast ${n} at the cable bystander`);
		await waitFor(() => sse.events().some(event => event.data === JSON.stringify({n})), `broadcast ${n} at the SSE reader`);
	}

	test('10,000 subscribe commands: 100 confirmed, the rest rejected, then the socket is closed with 1008', async () => {
		const hostile = await openCable(server);
		for (let index = 0; index < 10_000; index++) {
			hostile.ws.send(JSON.stringify({command: 'subscribe', identifier: JSON.stringify({channel: 'DashboardUpdatesChannel', n: index})}));
		}

		await waitFor(() => hostile.closeCode() !== undefined, 'the hostile socket to be closed', 10_000);
		assert.equal(hostile.closeCode(), 1008);
		assert.equal(hostile.messages.filter(message => message['type'] === 'confirm_subscription').length, maxSubscriptions);
		assert.ok(hostile.messages.filter(message => message['type'] === 'reject_subscription').length <= maxRefusedCommands);
		await stillReceiving(1);
		assert.ok(server.stats().cableCommands.closed >= 1);
	});

	test('a 10 MB frame closes that socket with 1009 (message too big)', async () => {
		const hostile = await openCable(server);
		hostile.ws.send('x'.repeat(10 * 1024 * 1024));
		await waitFor(() => hostile.closeCode() !== undefined, 'the socket to be closed', 10_000);
		assert.equal(hostile.closeCode(), 1009);
		await stillReceiving(2);
	});

	test('invalid frames: not JSON, binary, unknown commands are ignored, then past the cap the socket is closed', async () => {
		const hostile = await openCable(server);
		for (let index = 0; index < maxRefusedCommands + 50; index++) {
			hostile.ws.send(index % 3 === 0 ? '{not json' : index % 3 === 1 ? Buffer.from([0, 1, 2]) : JSON.stringify({command: 'explode', identifier: dashboard}));
		}

		await waitFor(() => hostile.closeCode() !== undefined, 'the socket to be closed', 10_000);
		assert.equal(hostile.closeCode(), 1008);
		await stillReceiving(3);
	});

	test('a frame with a bad opcode (not WebSocket at all) closes that socket only', async () => {
		const hostile = await openCable(server);
		// Opcode 0x3 is reserved (RFC 6455 section 5.2): ws fails the connection with 1002.
		const socket = (hostile.ws as unknown as {_socket: import('node:net').Socket})._socket;
		socket.write(Buffer.from([0x83, 0x80, 1, 2, 3, 4]));
		await waitFor(() => hostile.closeCode() !== undefined, 'the socket to be closed', 10_000);
		await stillReceiving(4);
		assert.equal(bystander.ws.readyState, WebSocket.OPEN);
	});
});
