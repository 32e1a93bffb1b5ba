import http from 'node:http';
import net, {type AddressInfo, type Socket} from 'node:net';

export type ConnectProxy = {
	url: string;
	/** every CONNECT target (`host:port`) in order */
	readonly tunnels: string[];
	close(): Promise<void>;
};

/** A real HTTP proxy on 127.0.0.1:0 that only tunnels (CONNECT), as corporate proxies do, and records each tunnel. */
export async function startConnectProxy(): Promise<ConnectProxy> {
	const tunnels: string[] = [];
	const sockets = new Set<Socket>();
	const server = http.createServer((_request, response) => {
		response.writeHead(405).end('CONNECT only');
	});
	server.on('connect', (request: http.IncomingMessage, client: Socket, head: Buffer) => {
		const target = request.url ?? '';
		tunnels.push(target);
		const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
		const upstream = net.connect(port, host, () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			upstream.write(head);
			upstream.pipe(client);
			client.pipe(upstream);
		});
		for (const socket of [client, upstream]) {
			sockets.add(socket);
			socket.on('close', () => sockets.delete(socket));
			socket.on('error', () => {
				client.destroy();
				upstream.destroy();
			});
		}
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		tunnels,
		async close() {
			for (const socket of sockets) {
				socket.destroy();
			}

			server.closeAllConnections();
			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}
