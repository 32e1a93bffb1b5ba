import type {ClientRow} from '../../metrics/snapshot.js';
import {fit, formatAge, formatCount, formatMs, printable} from '../format.js';

export const columnIds = ['id', 'state', 'messages', 'heartbeats', 'errors', 'reconnects', 'lastEventId', 'messageAge', 'heartbeatAge', 'latency', 'gaps', 'stream'] as const;
export type ColumnId = typeof columnIds[number];

export type RowContext = {
	/** ms since start of the snapshot being drawn */
	now: number;
	isStale(row: ClientRow): boolean;
};

export type Column = {
	id: ColumnId;
	title: string;
	width: number;
	align: 'left' | 'right';
	/** lower survives longer when the terminal is narrow */
	keep: number;
	cell(row: ClientRow, context: RowContext): string;
};

/** Problems first when sorted ascending: failed, reconnecting, stale, connecting, closed, idle, open. */
export function stateRank(row: ClientRow, context: RowContext): number {
	switch (row.state) {
		case 'failed': { return 0; }
		case 'reconnecting': { return 1; }
		case 'open': { return context.isStale(row) ? 2 : 6; }
		case 'connecting': { return 3; }
		case 'closed': { return 4; }
		case 'idle': { return 5; }
	}
}

export function stateLabel(row: ClientRow, context: RowContext): string {
	return row.state === 'open' && context.isStale(row) ? 'stale' : row.state;
}

export const columns: readonly Column[] = [
	{id: 'id', title: 'id', width: 6, align: 'right', keep: 0, cell: row => String(row.id)},
	{id: 'state', title: 'state', width: 12, align: 'left', keep: 1, cell: stateLabel},
	{id: 'messages', title: 'msgs', width: 7, align: 'right', keep: 2, cell: row => formatCount(row.messages)},
	{id: 'heartbeats', title: 'hb', width: 6, align: 'right', keep: 5, cell: row => formatCount(row.heartbeats)},
	{id: 'errors', title: 'errs', width: 5, align: 'right', keep: 3, cell: row => formatCount(row.errors)},
	{id: 'reconnects', title: 'reconn', width: 6, align: 'right', keep: 6, cell: row => formatCount(row.reconnects)},
	{id: 'lastEventId', title: 'last id', width: 12, align: 'left', keep: 9, cell: row => printable(row.lastEventId) || '-'},
	{id: 'messageAge', title: 'msg age', width: 7, align: 'right', keep: 7, cell: (row, {now}) => formatAge(row.lastMessageAt, now)},
	{id: 'heartbeatAge', title: 'hb age', width: 7, align: 'right', keep: 4, cell: (row, {now}) => formatAge(row.lastHeartbeatAt, now)},
	{id: 'latency', title: 'latency', width: 8, align: 'right', keep: 8, cell: row => formatMs(row.latencyMs)},
	{id: 'gaps', title: 'gaps', width: 5, align: 'right', keep: 10, cell: row => formatCount(row.gaps)},
	// Request streams only (fitColumns): the current stream's request number, events so far and age, or the streams done.
	{id: 'stream', title: 'stream', width: 17, align: 'left', keep: 2.5, cell: streamCell},
];

function streamCell(row: ClientRow, {now}: RowContext): string {
	if (row.streamStartAt >= 0) {
		return `#${row.streams + 1} ${formatCount(row.streamEvents)}ev ${formatAge(row.streamStartAt, now)}`;
	}

	return row.streams > 0 ? `${formatCount(row.streams)} done` : '-';
}

const byId = new Map(columns.map(column => [column.id, column]));

export function column(id: ColumnId): Column {
	return byId.get(id)!;
}

/**
 * The columns that fit in `width` (one space between), in table order: narrow terminals lose the
 * least useful ones. The stream column only for request streams.
 */
export function fitColumns(width: number, streams = false): Column[] {
	const kept = new Set<ColumnId>();
	let used = 0;
	for (const candidate of [...columns].sort((a, b) => a.keep - b.keep)) {
		if (candidate.id === 'stream' && !streams) {
			continue;
		}

		const needed = candidate.width + (kept.size > 0 ? 1 : 0);
		if (used + needed > width) {
			continue;
		}

		kept.add(candidate.id);
		used += needed;
	}

	return columns.filter(candidate => kept.has(candidate.id));
}

export function headerLine(shown: readonly Column[], sort: ColumnId, descending: boolean): string {
	return shown.map(candidate => {
		const title = candidate.id === sort ? `${candidate.title}${descending ? '▼' : '▲'}` : candidate.title;
		return fit(title, candidate.width, candidate.align);
	}).join(' ');
}

/**
 * One cell as the table's column boxes draw it: cut to the width like `fit`, right-aligned
 * cells padded on the left, left-aligned ones not padded (the box's blank cells do that, and
 * Ink has fewer characters to tokenize per frame).
 */
export function cellText(candidate: Column, row: ClientRow, context: RowContext): string {
	const text = candidate.cell(row, context);
	if (text.length > candidate.width || candidate.align === 'right') {
		return fit(text, candidate.width, candidate.align);
	}

	return text;
}

export function rowLine(row: ClientRow, shown: readonly Column[], context: RowContext): string {
	return shown.map(candidate => fit(candidate.cell(row, context), candidate.width, candidate.align)).join(' ');
}
