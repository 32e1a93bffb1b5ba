import {clientStates} from '../engine/types.js';
import {columnNames, type Column} from './columns.js';
import type {ClientRow} from './snapshot.js';

/**
 * Every client's row as columns, indexed by client id (1..count): the store's own arrays, or a
 * copy of them that can cross to another thread (typed arrays transfer without a copy; the
 * two string arrays clone).
 */
export type RowTable = {
	count: number;
	/** index into clientStates */
	state: Uint8Array;
	columns: Record<Column, Float64Array>;
	lastEventId: ReadonlyArray<string | undefined>;
	lastError: ReadonlyArray<string | undefined>;
};

/** A row with every field written in one order, so all rows share one hidden class. */
export function emptyRow(id: number): ClientRow {
	return {id, state: 'idle', messages: 0, heartbeats: 0, errors: 0, reconnects: 0, connects: 0, bytes: 0, lastEventId: '', lastMessageAt: -1, lastHeartbeatAt: -1, connectMs: -1, latencyMs: -1, gaps: 0, duplicates: 0, streams: 0, streamEvents: 0, streamStartAt: -1, ttfeMs: -1, lastError: ''};
}

export function fillRow(table: RowTable, row: ClientRow, id: number): void {
	const {columns} = table;
	row.state = clientStates[table.state[id]!] ?? 'idle';
	row.messages = columns.messages[id]!;
	row.heartbeats = columns.heartbeats[id]!;
	row.errors = columns.errors[id]!;
	row.reconnects = columns.reconnects[id]!;
	row.connects = columns.connects[id]!;
	row.bytes = columns.bytes[id]!;
	row.lastEventId = table.lastEventId[id] ?? '';
	row.lastMessageAt = columns.lastMessageAt[id]!;
	row.lastHeartbeatAt = columns.lastHeartbeatAt[id]!;
	row.connectMs = columns.connectMs[id]!;
	row.latencyMs = columns.latencyMs[id]!;
	row.gaps = columns.gaps[id]!;
	row.duplicates = columns.duplicates[id]!;
	row.streams = columns.streams[id]!;
	row.streamEvents = columns.streamEvents[id]!;
	row.streamStartAt = columns.streamStartAt[id]!;
	row.ttfeMs = columns.ttfeMs[id]!;
	row.lastError = table.lastError[id] ?? '';
}

/**
 * Every row, in id order. Given `reuse` (the array a previous call returned), its row objects
 * are refilled in place: a dashboard reading 10,000 rows per tick then makes no garbage, and no
 * young-generation pauses copying rows that live until the next tick.
 */
export function readRows(table: RowTable, reuse: ClientRow[] = []): ClientRow[] {
	const rows = reuse;
	for (let id = 1; id <= table.count; id++) {
		let row = rows[id - 1];
		if (row === undefined) {
			row = emptyRow(id);
			rows.push(row);
		}

		fillRow(table, row, id);
	}

	rows.length = table.count;
	return rows;
}

/** A copy of `table` cut to its rows, and the buffers postMessage may transfer instead of copying. */
export function copyRowTable(table: RowTable): {table: RowTable; transfer: ArrayBuffer[]} {
	const end = table.count + 1;
	const columns = {} as Record<Column, Float64Array>;
	const transfer: ArrayBuffer[] = [];
	for (const name of columnNames) {
		columns[name] = table.columns[name].slice(0, end);
		transfer.push(columns[name].buffer as ArrayBuffer);
	}

	const state = table.state.slice(0, end);
	transfer.push(state.buffer as ArrayBuffer);
	return {
		table: {count: table.count, state, columns, lastEventId: table.lastEventId.slice(0, end), lastError: table.lastError.slice(0, end)},
		transfer,
	};
}
