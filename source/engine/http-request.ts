/**
 * Where an SSE request goes and the bytes that ask for it: an http(s) URL taken apart for
 * net/tls.connect, and the HTTP/1.1 request head (RFC 9112 §3).
 */
import {isIP} from 'node:net';

export type HttpTarget = {
	/** scheme://host[:port], to resolve redirects against and compare origins */
	readonly origin: string;
	/** path and query, as sent in the request line */
	readonly path: string;
	readonly secure: boolean;
	/** what to connect to: a name or an IP literal, IPv6 without its brackets */
	readonly host: string;
	readonly port: number;
	/** the Host header (RFC 9110 §7.2): the port only when it is not the scheme's default */
	readonly hostHeader: string;
	/** TLS SNI: a DNS name, never an IP literal (RFC 6066 §3) */
	readonly servername: string | undefined;
};

export function parseTarget(url: string | URL): HttpTarget {
	const parsed = typeof url === 'string' ? new URL(url) : url;
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw new Error(`unsupported protocol ${parsed.protocol} in ${parsed.href}`);
	}

	const secure = parsed.protocol === 'https:';
	const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
	return {
		origin: parsed.origin,
		path: parsed.pathname + parsed.search,
		secure,
		host,
		port: parsed.port === '' ? (secure ? 443 : 80) : Number(parsed.port),
		hostHeader: parsed.host,
		servername: secure && isIP(host) === 0 ? host : undefined,
	};
}

// A CR or LF would start a new header (request smuggling); a NUL ends some servers' strings.
const invalidValue = /[\0\r\n]/;
const nonAscii = /[^\u0000-\u007F]/;
const fieldName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * `GET <path> HTTP/1.1` (or `method`), Host (unless `headers` has its own), then `headers` as
 * given, then `body` with its Content-Length (a body-less POST or PUT says `Content-Length: 0`). Throws
 * on a header that cannot be sent. Encode the result as latin1: one byte per character. A value
 * beyond ASCII (a Last-Event-ID the server chose, say `日本-1`) goes as its UTF-8 bytes, as
 * browsers send Last-Event-ID.
 */
export function requestHead(target: HttpTarget, headers: Readonly<Record<string, string>>, method = 'GET', body?: string): string {
	let lines = '';
	let host = target.hostHeader;
	for (const name of Object.keys(headers)) {
		const value = headers[name]!;
		if (!fieldName.test(name) || invalidValue.test(value)) {
			throw new Error(`invalid request header ${JSON.stringify(name)}: ${JSON.stringify(value)}`);
		}

		const bytes = nonAscii.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value;
		if (name.toLowerCase() === 'host') {
			host = bytes;
		} else {
			lines += `${name}: ${bytes}\r\n`;
		}
	}

	if (body === undefined) {
		const empty = method === 'GET' || method === 'HEAD' || method === 'DELETE' || method === 'OPTIONS' ? '' : 'Content-Length: 0\r\n';
		return `${method} ${target.path} HTTP/1.1\r\nHost: ${host}\r\n${lines}${empty}\r\n`;
	}

	// The body's UTF-8 bytes, one latin1 character each, as the head is written.
	const bytes = Buffer.from(body, 'utf8');
	return `${method} ${target.path} HTTP/1.1\r\nHost: ${host}\r\n${lines}Content-Length: ${bytes.length}\r\n\r\n${bytes.toString('latin1')}`;
}
