import type {ServerResponse} from 'node:http';
import type {Duplex} from 'node:stream';

/**
 * The Go server's CORS headers, widened so EventSource polyfills may send Last-Event-ID.
 * `Access-Control-Allow-Origin` is set per request (server/security.ts: `*` unless --token).
 */
export const corsHeaders: Readonly<Record<string, string>> = Object.freeze({
	'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
	'Access-Control-Allow-Headers': 'Cache-Control, Last-Event-ID, Content-Type, Accept, X-Requested-With',
});

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		...corsHeaders,
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': Buffer.byteLength(text),
		'Cache-Control': 'no-cache',
		...headers,
	});
	res.end(res.req.method === 'HEAD' ? undefined : text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
	res.writeHead(status, {
		...corsHeaders,
		'Content-Type': 'text/plain; charset=utf-8',
		'Content-Length': Buffer.byteLength(text),
		'Cache-Control': 'no-cache',
	});
	res.end(res.req.method === 'HEAD' ? undefined : text);
}

const reasons: Record<number, string> = {
	400: 'Bad Request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	408: 'Request Timeout',
	431: 'Request Header Fields Too Large',
	503: 'Service Unavailable',
};

/** Answers on a raw socket (a refused upgrade, or a request HTTP could not parse) and closes it. */
export function rejectSocket(socket: Duplex, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
	if (!socket.writable || socket.destroyed) {
		socket.destroy();
		return;
	}

	const head = [
		`HTTP/1.1 ${status} ${reasons[status] ?? 'Error'}`,
		'Connection: close',
		`Content-Type: ${contentType}`,
		`Content-Length: ${Buffer.byteLength(body)}`,
		...(status === 503 ? ['Retry-After: 5'] : []),
		...(status === 401 ? ['WWW-Authenticate: Bearer realm="sse-tui"'] : []),
		'',
		'',
	].join('\r\n');
	socket.end(head + body, () => socket.destroy());
}
