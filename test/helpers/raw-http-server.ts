import {readFileSync} from 'node:fs';
import net, {type AddressInfo, type Socket} from 'node:net';
import tls from 'node:tls';

/** A self-signed certificate for localhost, 127.0.0.1 and ::1 (valid until 2126), for tests only. */
export const testCertificate = {
	key: readFileSync(new URL('../../../test/helpers/tls/localhost-key.pem', import.meta.url)),
	cert: readFileSync(new URL('../../../test/helpers/tls/localhost-cert.pem', import.meta.url)),
};

export type RawRequest = {head: string; at: number};
export type RawHandler = (socket: Socket, request: RawRequest, attempt: number) => void;

export type RawServer = {
	port: number;
	url(path?: string): string;
	readonly requests: RawRequest[];
	close(): Promise<void>;
};

/**
 * A real server on 127.0.0.1 (or `host`), port 0, that reads each request head and lets the test
 * write the response byte for byte: framing, split writes and broken answers that node:http
 * would never send. With `secure`, it speaks TLS with testCertificate.
 */
export async function startRawServer(handler: RawHandler, {secure = false, host = '127.0.0.1'}: {secure?: boolean; host?: string} = {}): Promise<RawServer> {
	const requests: RawRequest[] = [];
	const sockets = new Set<Socket>();
	const accept = (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => undefined);
		let head = '';
		const onData = (chunk: Buffer) => {
			head += chunk.toString('latin1');
			const end = head.indexOf('\r\n\r\n');
			if (end !== -1) {
				socket.off('data', onData);
				const request = {head: head.slice(0, end), at: performance.now()};
				requests.push(request);
				handler(socket, request, requests.length);
			}
		};

		socket.on('data', onData);
	};

	const server = secure ? tls.createServer(testCertificate, accept) : net.createServer(accept);
	await new Promise<void>(resolve => server.listen(0, host, resolve));
	const {port} = server.address() as AddressInfo;
	const authority = host.includes(':') ? `[${host}]` : host;
	return {
		port,
		url: (path = '/stream') => `${secure ? 'https' : 'http'}://${authority}:${port}${path}`,
		requests,
		async close() {
			for (const socket of sockets) {
				socket.destroy();
			}

			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}

/** A request's header value by name (case-insensitive), from its raw head. */
export function requestHeader(request: RawRequest, name: string): string | undefined {
	for (const line of request.head.split('\r\n').slice(1)) {
		const colon = line.indexOf(':');
		if (line.slice(0, colon).toLowerCase() === name.toLowerCase()) {
			return line.slice(colon + 1).trim();
		}
	}

	return undefined;
}

export const sseHead = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n';

/** One chunk of a chunked body (RFC 9112 §7.1): hex size, optional extension, CRLF, data, CRLF. */
export function chunk(text: string, extension = ''): string {
	return `${Buffer.byteLength(text).toString(16)}${extension}\r\n${text}\r\n`;
}
