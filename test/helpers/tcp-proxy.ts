import net from 'node:net';

export type TcpProxy = {
	readonly port: number;
	/** connections made through the proxy so far */
	readonly accepted: number;
	/** Cut every connection in flight (both sides), as a load balancer or a flaky network would; the proxy keeps listening. */
	cut(): number;
	close(): Promise<void>;
};

/**
 * A TCP proxy on 127.0.0.1, port 0, in front of `targetPort`: the tests cut connections through
 * it. `delayMs`: every chunk from the server reaches the client that much later (in order), a
 * slow network or a slow server's broadcast path as the client sees it.
 */
export async function startTcpProxy(targetPort: number, {delayMs = 0}: {delayMs?: number} = {}): Promise<TcpProxy> {
	const pairs = new Set<[net.Socket, net.Socket]>();
	let accepted = 0;
	const server = net.createServer(client => {
		accepted++;
		const upstream = net.connect(targetPort, '127.0.0.1');
		const pair: [net.Socket, net.Socket] = [client, upstream];
		pairs.add(pair);
		const drop = () => {
			pairs.delete(pair);
			client.destroy();
			upstream.destroy();
		};

		client.on('error', drop).on('close', drop);
		upstream.on('error', drop).on('close', delayMs > 0 ? () => setTimeout(drop, delayMs) : drop);
		client.pipe(upstream);
		if (delayMs > 0) {
			// Timers of one delay fire in the order they were set: the bytes keep their order.
			upstream.on('data', (chunk: Buffer) => setTimeout(() => {
				if (!client.destroyed) {
					client.write(chunk);
				}
			}, delayMs));
			upstream.on('end', () => setTimeout(() => client.end(), delayMs));
		} else {
			upstream.pipe(client);
		}
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as net.AddressInfo).port,
		get accepted() {
			return accepted;
		},
		cut() {
			const count = pairs.size;
			for (const [client, upstream] of [...pairs]) {
				client.destroy();
				upstream.destroy();
			}

			pairs.clear();
			return count;
		},
		async close() {
			for (const [client, upstream] of pairs) {
				client.destroy();
				upstream.destroy();
			}

			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}
