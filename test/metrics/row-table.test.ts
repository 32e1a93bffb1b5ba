import assert from 'node:assert/strict';
import {MessageChannel, receiveMessageOnPort} from 'node:worker_threads';
import {test} from 'node:test';
import {copyRowTable, readRows, type RowTable} from '../../source/metrics/row-table.js';
import {MetricsStore} from '../../source/metrics/store.js';

function storeWithTraffic(): MetricsStore {
	const store = new MetricsStore();
	store.addClient(3);
	store.emit({kind: 'connecting', client: 1, attempt: 1});
	store.emit({kind: 'open', client: 1, status: 200, connectMs: 4, url: 'u'});
	store.emit({kind: 'event', client: 1, type: 'message', data: '{}', id: 'a7', bytes: 2, latencyMs: 3});
	store.emit({kind: 'connecting', client: 3, attempt: 1});
	store.emit({kind: 'error', client: 3, error: 'status', message: 'HTTP 503', status: 503});
	return store;
}

test('a row table copied across a port reads back the same rows as the store', () => {
	const store = storeWithTraffic();
	const {table, transfer} = copyRowTable(store.rowTable());
	const {port1, port2} = new MessageChannel();
	port1.postMessage(table, transfer);
	const received = receiveMessageOnPort(port2)!.message as RowTable;
	port1.close();
	assert.equal(table.state.byteLength, 0, 'the typed arrays were transferred, not copied');
	assert.deepEqual(readRows(received), store.clientRows());
	assert.equal(readRows(received)[0]!.lastEventId, 'a7');
	assert.equal(readRows(received)[2]!.lastError, 'HTTP 503');
});

test('a copy does not follow the store, and reused rows are refilled in place', () => {
	const store = storeWithTraffic();
	const before = copyRowTable(store.rowTable()).table;
	store.emit({kind: 'event', client: 1, type: 'message', data: '{}', id: 'a8', bytes: 2});
	store.addClient(4);
	const rows = readRows(before);
	assert.equal(rows.length, 3);
	assert.equal(rows[0]!.messages, 1);
	const first = rows[0];
	const again = readRows(copyRowTable(store.rowTable()).table, rows);
	assert.equal(again, rows);
	assert.equal(again.length, 4);
	assert.equal(again[0], first, 'the same row object');
	assert.equal(again[0]!.messages, 2);
	assert.equal(again[0]!.lastEventId, 'a8');
});
