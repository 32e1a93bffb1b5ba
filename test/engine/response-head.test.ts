import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {AttemptError, checkResponseHead} from '../../source/engine/sse-attempt.js';

describe('checkResponseHead (both transports)', () => {
	test('200 with text/event-stream opens, parameters and case allowed; 204 stops', () => {
		assert.equal(checkResponseHead(200, 'text/event-stream'), 'open');
		assert.equal(checkResponseHead(200, 'Text/Event-Stream; charset=utf-8'), 'open');
		assert.equal(checkResponseHead(204, ''), 'no-content');
	});

	test('another status or content type fails with its kind, status and message', () => {
		const status = checkResponseHead(503, 'text/event-stream');
		assert.ok(status instanceof AttemptError);
		assert.deepEqual([status.kind, status.status, status.message], ['status', 503, 'HTTP 503']);
		const type = checkResponseHead(200, 'text/event-streamx');
		assert.ok(type instanceof AttemptError);
		assert.deepEqual([type.kind, type.status, type.message], ['content-type', 200, 'expected text/event-stream, got "text/event-streamx"']);
		const none = checkResponseHead(200, '');
		assert.ok(none instanceof AttemptError);
		assert.equal(none.message, 'expected text/event-stream, got "no content type"');
	});
});
