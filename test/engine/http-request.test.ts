import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {parseTarget, requestHead} from '../../source/engine/http-request.js';

describe('HTTP request target and head', () => {
	test('takes an http URL apart, leaving the default port out of Host', () => {
		assert.deepEqual({...parseTarget('http://example.com/a/b?c=1#frag')}, {
			origin: 'http://example.com', path: '/a/b?c=1', secure: false, host: 'example.com', port: 80, hostHeader: 'example.com', servername: undefined,
		});
		assert.equal(parseTarget('https://example.com:443/').hostHeader, 'example.com');
		assert.equal(parseTarget('http://example.com:8080').path, '/');
	});

	test('https: SNI for names, none for IP literals; IPv6 literals lose their brackets to connect but keep them in Host', () => {
		const named = parseTarget('https://stream.example.com:8443/s');
		assert.deepEqual([named.host, named.port, named.hostHeader, named.servername], ['stream.example.com', 8443, 'stream.example.com:8443', 'stream.example.com']);
		const v6 = parseTarget('https://[::1]:8443/s');
		assert.deepEqual([v6.host, v6.hostHeader, v6.servername, v6.origin], ['::1', '[::1]:8443', undefined, 'https://[::1]:8443']);
		assert.equal(parseTarget('https://127.0.0.1/').servername, undefined);
	});

	test('refuses schemes other than http and https', () => {
		assert.throws(() => parseTarget('ftp://example.com/'), /unsupported protocol ftp:/);
	});

	test('writes the request line, Host, then the headers as given', () => {
		const head = requestHead(parseTarget('http://127.0.0.1:3000/dashboard/stream?x=1'), {accept: 'text/event-stream', 'Last-Event-ID': '7'});
		assert.equal(head, 'GET /dashboard/stream?x=1 HTTP/1.1\r\nHost: 127.0.0.1:3000\r\naccept: text/event-stream\r\nLast-Event-ID: 7\r\n\r\n');
	});

	test('a Host header of the caller replaces the one from the URL', () => {
		const head = requestHead(parseTarget('http://127.0.0.1:3000/'), {HOST: 'virtual.example'});
		assert.equal(head, 'GET / HTTP/1.1\r\nHost: virtual.example\r\n\r\n');
	});

	test('a value beyond ASCII goes as its UTF-8 bytes, so a server-chosen event id can always be sent back', () => {
		const head = requestHead(parseTarget('http://127.0.0.1:3000/'), {'last-event-id': '日本-é'});
		const sent = Buffer.from(head, 'latin1');
		assert.ok(sent.includes(Buffer.from('last-event-id: 日本-é\r\n', 'utf8')));
	});

	test('refuses a header that would break the request (CR, LF, NUL, a bad name)', () => {
		const target = parseTarget('http://127.0.0.1:3000/');
		assert.throws(() => requestHead(target, {'x-a': 'one\r\nInjected: yes'}), /invalid request header "x-a"/);
		assert.throws(() => requestHead(target, {'x-a': 'nul\u0000'}), /invalid request header/);
		assert.throws(() => requestHead(target, {'bad name': 'x'}), /invalid request header "bad name"/);
	});
});
