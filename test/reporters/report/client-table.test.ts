import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {clientColumns, clientTable} from '../../../source/reporters/report/client-table.js';
import {createRow} from './factories.js';

describe('client table data', () => {
	test('one array per client, in column order; "never" (-1) becomes null', () => {
		const table = clientTable([createRow(1, {connectMs: -1, latencyMs: -1, lastMessageAt: -1, lastEventId: '', lastError: ''}), createRow(2, {lastMessageAt: 1234, lastError: 'boom'})]);
		assert.equal(table.total, 2);
		assert.equal(table.capped, false);
		assert.deepEqual(table.columns.map(column => column.key), clientColumns.map(column => column.key));
		assert.deepEqual(table.rows[0], [1, 'closed', 600, 12, 0, 0, 0, 0, 1, 228_000, null, null, null, null, null]);
		const second = Object.fromEntries(table.columns.map((column, index) => [column.key, table.rows[1]![index]]));
		assert.equal(second['lastMessageAt'], 1.2, 'seconds since the start');
		assert.equal(second['lastError'], 'boom');
		assert.equal(second['connectMs'], 2.52);
	});

	test('past the cap it keeps the worst clients (errors, then gaps, then reconnects, then fewest messages), in id order', () => {
		const rows = Array.from({length: 10}, (_, index) => createRow(index + 1));
		rows[8]!.errors = 5;
		Object.assign(rows[6]!, {gaps: 3});
		rows[2]!.reconnects = 2;
		rows[5]!.messages = 1;
		assert.deepEqual(clientTable(rows, 4).rows.map(row => row[0]), [3, 6, 7, 9]);
		const table = clientTable(rows, 3);
		assert.equal(table.capped, true);
		assert.equal(table.total, 10);
		assert.deepEqual(table.rows.map(row => row[0]), [3, 7, 9]);
	});

	test('error texts lose credentials and are cut to 200 characters', () => {
		const table = clientTable([createRow(1, {lastError: `GET http://u:pw@h/x failed ${'x'.repeat(500)}`})]);
		const text = table.rows[0]!.at(-1) as string;
		assert.equal(text.length, 200);
		assert.ok(text.startsWith('GET http://h/x failed'));
	});
});
