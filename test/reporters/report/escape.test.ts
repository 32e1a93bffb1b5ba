import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {escapeHtml, jsonForScript, redactText, redactUrl} from '../../../source/reporters/report/escape.js';

describe('report escaping', () => {
	test('escapeHtml leaves no markup character', () => {
		assert.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
	});

	test('jsonForScript cannot end its script element, and parses back to the same value', () => {
		const value = {error: '</script><script>alert(1)</script>', comment: '<!-- x -->', amp: 'a&b', separators: 'a\u2028b\u2029c'};
		const text = jsonForScript(value);
		assert.ok(!/[<>&\u2028\u2029]/.test(text), text);
		assert.deepEqual(JSON.parse(text), value);
	});

	test('redactUrl is the one rule set of source/redact.ts: passwords and credential-like query values as ***', () => {
		assert.equal(redactUrl('https://alice:s3cret@example.test/stream?token=abc&room=1&api_key=k'), 'https://alice:***@example.test/stream?token=***&room=1&api_key=***');
		assert.equal(redactUrl('ws://localhost:3000/cable'), 'ws://localhost:3000/cable');
	});

	test('redactText drops the user:password of every URL in a message', () => {
		assert.equal(redactText('connect ECONNREFUSED http://bob:hunter2@10.0.0.1:80/x and wss://t@h/'), 'connect ECONNREFUSED http://10.0.0.1:80/x and wss://h/');
	});
});
