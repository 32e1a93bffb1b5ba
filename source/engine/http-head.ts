/**
 * An incremental parser for the head of an HTTP/1.1 response (RFC 9112 §4-5): the status line
 * and the header fields, up to the empty line. The body is not its business (http-body.ts).
 * https://www.rfc-editor.org/rfc/rfc9112#section-2.1
 */

/** Response header fields, names in lower case; repeated fields joined with ", " (RFC 9110 §5.3). */
export type ResponseHeaders = Record<string, string>;

export class HttpParseError extends Error {
	override readonly name = 'HttpParseError';
}

/** A head longer than this is refused: no legitimate SSE response comes near it (Node's own cap is 16 KiB). */
const defaultMaxHeadBytes = 64 * 1024;

const LF = 10;
const CR = 13;
const statusLine = /^HTTP\/1\.[01] ([1-9]\d\d)(?:[ \t][^\r\n]*)?$/;
// RFC 9110 §5.1: a field name is a token.
const fieldName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Feed it the bytes of a response from the first; `feed` returns -1 while the head is
 * incomplete, then the offset in that chunk where the body starts, with `status` and `headers`
 * set. Throws HttpParseError on a malformed or oversized head. The bytes are copied (as latin1
 * text, one char per byte) so the caller may reuse its buffer. A 1xx head (RFC 9110 §15.2) is
 * the caller's to skip: reset() and feed the rest.
 */
export class ResponseHeadParser {
	status = 0;
	headers: ResponseHeaders = {};
	private text = '';
	// Bytes of the current, unfinished line, and whether its last byte was CR: an empty line
	// (the head's end) is "\r\n" or, leniently (RFC 9112 §2.2), a bare "\n".
	private lineBytes = 0;
	private lastWasCr = false;

	constructor(private readonly maxHeadBytes = defaultMaxHeadBytes) {}

	/** Reads chunk[start, end); bytes past `end` are not looked at (the caller may reuse a big buffer). */
	feed(chunk: Buffer, start = 0, end = chunk.length): number {
		let lineStart = start;
		let lf = indexOfLf(chunk, start, end);
		while (lf !== -1) {
			const length = this.lineBytes + lf - lineStart;
			const lastIsCr = lf > lineStart ? chunk[lf - 1] === CR : this.lastWasCr;
			if (length === 0 || (length === 1 && lastIsCr)) {
				this.append(chunk, start, lf + 1);
				this.parse();
				return lf + 1;
			}

			this.lineBytes = 0;
			this.lastWasCr = false;
			lineStart = lf + 1;
			lf = indexOfLf(chunk, lineStart, end);
		}

		if (lineStart < end) {
			this.lineBytes += end - lineStart;
			this.lastWasCr = chunk[end - 1] === CR;
		}

		this.append(chunk, start, end);
		return -1;
	}

	private append(chunk: Buffer, start: number, end: number): void {
		if (this.text.length + end - start > this.maxHeadBytes) {
			throw new HttpParseError(`response head larger than ${this.maxHeadBytes} bytes`);
		}

		this.text += chunk.toString('latin1', start, end);
	}

	reset(): void {
		this.status = 0;
		this.headers = {};
		this.text = '';
		this.lineBytes = 0;
		this.lastWasCr = false;
	}

	private parse(): void {
		const lines = this.text.split('\n');
		this.text = '';
		// The head ends with an empty line, so the split's last two entries are empty lines.
		lines.length -= 2;
		const first = trimCr(lines[0] ?? '');
		const match = statusLine.exec(first);
		if (match === null) {
			throw new HttpParseError(`not an HTTP/1.x status line: "${printable(first)}"`);
		}

		this.status = Number(match[1]);
		const headers: ResponseHeaders = {};
		let previous = '';
		for (let index = 1; index < lines.length; index++) {
			const line = trimCr(lines[index]!);
			const c = line.charCodeAt(0);
			if (c === 32 || c === 9) {
				// obs-fold (RFC 9112 §5.2): a continuation of the previous field's value.
				if (previous === '') {
					throw new HttpParseError(`header continuation without a header: "${printable(line)}"`);
				}

				headers[previous] += ' ' + line.trim();
				continue;
			}

			const colon = line.indexOf(':');
			const name = colon === -1 ? '' : line.slice(0, colon);
			if (!fieldName.test(name)) {
				throw new HttpParseError(`bad header line: "${printable(line)}"`);
			}

			previous = name.toLowerCase();
			const value = line.slice(colon + 1).trim();
			// hasOwn: a field named like an Object.prototype member ("constructor") is no repeat.
			headers[previous] = Object.hasOwn(headers, previous) ? `${headers[previous]}, ${value}` : value;
		}

		this.headers = headers;
	}
}

/** The first LF in chunk[start, end), or -1. */
export function indexOfLf(chunk: Buffer, start: number, end: number): number {
	const lf = start < end ? chunk.indexOf(LF, start) : -1;
	return lf < end ? lf : -1;
}

function trimCr(line: string): string {
	return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** At most 80 characters of a line for an error message, control characters escaped. */
function printable(text: string): string {
	const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
	// eslint-disable-next-line no-control-regex
	return cut.replaceAll(/[\u0000-\u001F\u007F-\u00FF]/g, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
