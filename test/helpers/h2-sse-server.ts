import http2 from 'node:http2';
import type {AddressInfo} from 'node:net';
import {testCertificate} from './raw-http-server.js';

/**
 * An HTTP/2 (TLS, the test certificate) SSE server: every stream gets `events` events 20 ms
 * apart (`id: N`, `{"seq":N}`), then `data: [DONE]` and its end. Counts the sessions it saw.
 */
export type H2SseServer = {
	readonly port: number;
	readonly url: string;
	readonly sessions: Set<http2.ServerHttp2Session>;
	close(): Promise<void>;
};

export async function startH2SseServer(events: number): Promise<H2SseServer> {
	const sessions = new Set<http2.ServerHttp2Session>();
	const h2 = http2.createSecureServer({...testCertificate});
	h2.on('session', session => sessions.add(session));
	h2.on('stream', stream => {
		stream.respond({':status': 200, 'content-type': 'text/event-stream'});
		let sent = 0;
		const timer = setInterval(() => {
			sent++;
			stream.write(`id: ${sent}\ndata: {"seq":${sent}}\n\n`);
			if (sent === events) {
				clearInterval(timer);
				stream.end('data: [DONE]\n\n');
			}
		}, 20);
		stream.on('close', () => clearInterval(timer));
	});
	await new Promise<void>(resolve => h2.listen(0, '127.0.0.1', resolve));
	const {port} = h2.address() as AddressInfo;
	return {
		port,
		url: `https://127.0.0.1:${port}/stream`,
		sessions,
		async close() {
			for (const session of sessions) {
				session.destroy();
			}

			await new Promise<void>(resolve => h2.close(() => resolve()));
		},
	};
}
