import assert from 'node:assert/strict';
import type {AddressInfo} from 'node:net';
import {describe, test} from 'node:test';
import {WebSocketServer} from 'ws';
import {runCli} from '../helpers/cli.js';

type Offers = Array<string | undefined>;

/** A real `ws` server whose answer to the offered subprotocols the test picks; it records each offer. */
async function startServer(answer: (offered: Set<string>) => string | false): Promise<{url: string; offers: Offers; close(): Promise<void>}> {
	const offers: Offers = [];
	const server = new WebSocketServer({port: 0, host: '127.0.0.1', handleProtocols: answer});
	server.on('connection', (_socket, request) => {
		offers.push(request.headers['sec-websocket-protocol']);
	});
	await new Promise(resolve => server.once('listening', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		url: `ws://127.0.0.1:${port}/cable`,
		offers,
		async close() {
			for (const client of server.clients) {
				client.terminate();
			}

			await new Promise(resolve => server.close(resolve));
		},
	};
}

type Summary = {connections: {successful: number}; errors: {total: number; byKind: Record<string, number>}};

const noteLine = /the server chose no subprotocol \(offered actioncable-v1-json, actioncable-unsupported\); accepted here, though browsers fail such a handshake \(so the official ActionCable JS client never connects\)/g;

describe('WebSocket subprotocols', {concurrency: true}, () => {
	test('a Rails-style /cable that answers with no Sec-WebSocket-Protocol is accepted, noted once per run', async () => {
		const server = await startServer(() => false);
		try {
			const result = await runCli(['--protocol', 'websocket', '--url', server.url, '--clients', '3', '--ramp', '0', '--duration', '1s', '--json']);
			assert.equal(result.code, 0, result.stderr);
			const summary = JSON.parse(result.stdout) as Summary;
			assert.equal(summary.errors.total, 0, result.stderr);
			assert.equal(summary.connections.successful, 3);
			assert.deepEqual(server.offers, Array.from({length: 3}, () => 'actioncable-v1-json,actioncable-unsupported'));
			assert.equal(result.stderr.match(noteLine)?.length, 1, result.stderr);
		} finally {
			await server.close();
		}
	});

	for (const value of ['none', '']) {
		test(`--subprotocol ${JSON.stringify(value)} offers no subprotocol at all`, async () => {
			const server = await startServer(() => false);
			try {
				const result = await runCli(['--protocol', 'websocket', '--url', server.url, '--subprotocol', value, '--duration', '500ms', '--json']);
				assert.equal(result.code, 0, result.stderr);
				assert.equal((JSON.parse(result.stdout) as Summary).connections.successful, 1);
				assert.deepEqual(server.offers, [undefined]);
				assert.doesNotMatch(result.stderr, noteLine);
			} finally {
				await server.close();
			}
		});
	}

	test('a subprotocol that was offered is accepted; one that was not is still a protocol error', async () => {
		const picksOffered = await startServer(offered => [...offered][0] ?? false);
		const picksOther = await startServer(() => 'not-offered');
		try {
			const accepted = await runCli(['--protocol', 'ws', '--ws-mode', 'raw', '--url', picksOffered.url, '--subprotocol', 'chat,superchat', '--duration', '500ms', '--json']);
			assert.equal((JSON.parse(accepted.stdout) as Summary).errors.total, 0, accepted.stderr);
			assert.deepEqual(picksOffered.offers, ['chat,superchat']);

			const refused = await runCli(['--protocol', 'ws', '--ws-mode', 'raw', '--url', picksOther.url, '--subprotocol', 'chat', '--duration', '500ms', '--json', '--retry', '100ms']);
			const summary = JSON.parse(refused.stdout) as Summary;
			assert.equal(summary.connections.successful, 0);
			assert.ok(summary.errors.byKind['protocol']! >= 1, refused.stderr);
			assert.match(refused.stderr, /the server chose subprotocol "not-offered", which was not offered \(offered: chat\)/);
		} finally {
			await picksOffered.close();
			await picksOther.close();
		}
	});

	test('--subprotocol refuses a name that is not a token', async () => {
		const result = await runCli(['--protocol', 'ws', '--subprotocol', 'a b']);
		assert.equal(result.code, 2);
		assert.match(result.stderr, /^sse-tui: --subprotocol takes names like actioncable-v1-json/);
	});
});
