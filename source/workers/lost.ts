import type {MetricsStore} from '../metrics/store.js';
import {stateIndexOf, wireVersion, type WireMessage, type WireRows} from '../metrics/wire.js';
import {clientStates} from '../engine/types.js';
import {columnNames, unsetValue, type Column} from '../metrics/columns.js';

/**
 * The last word for a worker that died: its clients that had not closed normally are failed,
 * its counters stay as last reported. Built as a wire message so the store has one way in.
 */
export function lostMessage(store: MetricsStore, source: string, ranges: ReadonlyArray<[number, number]>, why = 'worker process lost'): WireMessage {
	const last = store.lastFrom(source);
	const table = store.rowTable();
	const failed = stateIndexOf('failed');
	const closed = stateIndexOf('closed');
	const rows: WireRows = {ids: [], state: [], columns: {} as Record<Column, number[]>, lastEventId: [], lastError: []};
	for (const name of columnNames) {
		rows.columns[name] = [];
	}

	let total = 0;
	let closedCount = 0;
	let highestId = 0;
	for (const [first, n] of ranges) {
		total += n;
		for (let id = first; id < first + n; id++) {
			highestId = Math.max(highestId, id);
			const isClosed = id <= table.count && table.state[id] === closed;
			closedCount += isClosed ? 1 : 0;
			rows.ids.push(id);
			rows.state.push(isClosed ? closed : failed);
			for (const name of columnNames) {
				rows.columns[name].push(id <= table.count ? table.columns[name][id]! : unsetValue(name));
			}

			rows.lastEventId.push(table.lastEventId[id] ?? '');
			rows.lastError.push(isClosed ? (table.lastError[id] ?? '') : why);
		}
	}

	const states = Object.fromEntries(clientStates.map(state => [state, 0])) as WireMessage['states'];
	states.closed = closedCount;
	states.failed = total - closedCount;
	return {
		v: wireVersion,
		source,
		seq: (last?.seq ?? 0) + 1,
		final: true,
		highestId,
		active: 0,
		states,
		totals: last?.totals ?? {messages: 0, heartbeats: 0, errors: 0, reconnects: 0, connects: 0, failedAttempts: 0, clientsConnected: 0, bytes: 0},
		errorsByKind: last?.errorsByKind ?? {},
		delivery: last?.delivery ?? {accountedClients: 0, unaccountedClients: 0, sources: {seq: 0, field: 0, id: 0, streamId: 0}, received: 0, gaps: 0, duplicates: 0, outOfOrder: 0, resets: 0, unsequenced: 0, reconnects: {resumed: 0, notResumed: 0}, foreign: 0},
		histograms: {connect: null, latency: null, reconnect: null},
		rows,
		// Its request streams' and transport's counts stay as last reported too (no deltas: stored without them).
		...(last?.streams && {streams: last.streams}),
		...(last?.transport && {transport: last.transport}),
	};
}
