/**
 * The yardstick for bench/fanout.ts: the least a Node SSE fan-out can do. node:net, no HTTP
 * parser (it waits for the end of the request header and answers with fixed bytes), the
 * frame built once per event, and the same per-tick batching as server/broadcaster.ts.
 * No replay, no backpressure limit, no bookkeeping.
 */
import net from 'node:net';

const responseHead = Buffer.from(
	'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n\r\nretry: 3000\n\n',
);

export type BaselineServer = {port: number; broadcast(message: unknown): number; close(): Promise<void>};

type Peer = {socket: net.Socket; pending: Buffer[]; bytes: number};

export async function startBaseline(): Promise<BaselineServer> {
	const peers = new Set<Peer>();
	let dirty: Peer[] = [];
	let scheduled = false;
	let id = 0;
	const flush = (): void => {
		scheduled = false;
		const list = dirty;
		dirty = [];
		for (const peer of list) {
			peer.socket.write(peer.pending.length === 1 ? peer.pending[0]! : Buffer.concat(peer.pending, peer.bytes));
			peer.pending = [];
			peer.bytes = 0;
		}
	};

	const server = net.createServer({noDelay: true}, socket => {
		let head = '';
		socket.on('error', () => {});
		const onData = (chunk: Buffer): void => {
			head += chunk.toString('latin1');
			if (head.includes('\r\n\r\n')) {
				socket.off('data', onData);
				socket.write(responseHead);
				const peer: Peer = {socket, pending: [], bytes: 0};
				peers.add(peer);
				socket.on('close', () => peers.delete(peer));
			}
		};

		socket.on('data', onData);
	});
	await new Promise<void>(resolve => server.listen({port: 0, host: '127.0.0.1', backlog: 4096}, resolve));
	const address = server.address() as net.AddressInfo;
	return {
		port: address.port,
		broadcast(message) {
			id++;
			const frame = Buffer.from(`id: ${id}\ndata: ${JSON.stringify(message)}\n\n`);
			for (const peer of peers) {
				if (peer.bytes === 0) {
					dirty.push(peer);
					if (!scheduled) {
						scheduled = true;
						setImmediate(flush);
					}
				}

				peer.pending.push(frame);
				peer.bytes += frame.length;
			}

			return peers.size;
		},
		async close() {
			for (const peer of peers) {
				peer.socket.destroy();
			}

			await new Promise(resolve => server.close(resolve));
		},
	};
}
