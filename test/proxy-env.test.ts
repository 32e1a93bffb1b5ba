import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {exemptFromProxy, proxyFor} from '../source/proxy-env.js';

const http = new URL('http://api.example.test:8080/stream');
const https = new URL('https://api.example.test/stream');

describe('proxyFor (curl\'s rules)', () => {
	test('--proxy first; \'\' turns proxies off', () => {
		assert.equal(proxyFor(http, 'http://p:3128', {http_proxy: 'http://other:1'}), 'http://p:3128');
		assert.equal(proxyFor(http, '', {http_proxy: 'http://other:1'}), undefined);
		assert.equal(proxyFor(http, 'p:3128', {}), 'http://p:3128', 'a bare host:port is an http:// proxy');
	});

	test('http:// reads lowercase http_proxy only (HTTP_PROXY is ignored, as curl does); https:// reads HTTPS_PROXY or https_proxy; then ALL_PROXY', () => {
		assert.equal(proxyFor(http, undefined, {HTTP_PROXY: 'http://upper:1'}), undefined);
		assert.equal(proxyFor(http, undefined, {http_proxy: 'http://lower:1'}), 'http://lower:1');
		assert.equal(proxyFor(https, undefined, {HTTPS_PROXY: 'http://s:1'}), 'http://s:1');
		assert.equal(proxyFor(https, undefined, {https_proxy: 'http://s2:1'}), 'http://s2:1');
		assert.equal(proxyFor(https, undefined, {http_proxy: 'http://lower:1'}), undefined);
		assert.equal(proxyFor(http, undefined, {ALL_PROXY: 'http://all:1'}), 'http://all:1');
		assert.equal(proxyFor(http, undefined, {http_proxy: '  '}), undefined, 'blank is unset');
	});

	test('NO_PROXY: names and their subdomains, a leading dot, IPs, CIDR, ports, *; applies to --proxy too', () => {
		const env = (list: string) => ({NO_PROXY: list});
		assert.equal(exemptFromProxy(http, env('example.test')), true);
		assert.equal(exemptFromProxy(http, env('.example.test')), true);
		assert.equal(exemptFromProxy(http, env('ample.test')), false, 'not a suffix of a label');
		assert.equal(exemptFromProxy(http, env('api.example.test:8080')), true);
		assert.equal(exemptFromProxy(http, env('api.example.test:9090')), false);
		assert.equal(exemptFromProxy(new URL('http://127.0.0.5/'), env('127.0.0.0/8')), true);
		assert.equal(exemptFromProxy(new URL('http://128.0.0.1/'), env('127.0.0.0/8')), false);
		assert.equal(exemptFromProxy(new URL('http://[::1]:3000/'), env('::1')), true);
		assert.equal(exemptFromProxy(http, env('*')), true);
		assert.equal(exemptFromProxy(http, {no_proxy: 'other.test, example.test'}), true);
		assert.equal(proxyFor(http, 'http://p:1', env('example.test')), undefined);
	});
});
