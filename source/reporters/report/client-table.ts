import type {ClientRow} from '../../metrics/snapshot.js';
import {redactText} from './escape.js';

/** Past this many clients the page keeps the worst ones: 5,000 rows are ~0.5 MB and sort at once. */
export const defaultRowCap = 5000;

/** Error texts are cut here: the table shows the gist, the event log has the rest. */
const errorLength = 200;

/** The table's columns, in order; `number` columns sort numerically with nothing ("–") last. */
export const clientColumns = [
	{key: 'id', label: 'Client', type: 'number'},
	{key: 'state', label: 'State', type: 'text'},
	{key: 'messages', label: 'Messages', type: 'number'},
	{key: 'heartbeats', label: 'Heartbeats', type: 'number'},
	{key: 'errors', label: 'Errors', type: 'number'},
	{key: 'gaps', label: 'Gaps', type: 'number'},
	{key: 'duplicates', label: 'Duplicates', type: 'number'},
	{key: 'reconnects', label: 'Reconnects', type: 'number'},
	{key: 'connects', label: 'Opens', type: 'number'},
	{key: 'bytes', label: 'Bytes', type: 'number'},
	{key: 'connectMs', label: 'Connect ms', type: 'number'},
	{key: 'latencyMs', label: 'Last latency ms', type: 'number'},
	{key: 'lastMessageAt', label: 'Last message s', type: 'number'},
	{key: 'lastEventId', label: 'Last event id', type: 'text'},
	{key: 'lastError', label: 'Last error', type: 'text'},
] as const;

export type ClientCell = number | string | null;

/** What the page embeds: rows as arrays in column order (compact JSON), and how many were left out. */
export type ClientTable = {
	columns: ReadonlyArray<{key: string; label: string; type: 'number' | 'text'}>;
	rows: ClientCell[][];
	total: number;
	/** true when rows holds only the worst `rows.length` of `total` clients */
	capped: boolean;
};

const never = (value: number) => value === -1 ? null : value;
const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** Delivery accounting's per-client counters; 0 where the row has none (rows without delivery accounting). */
type DeliveryCounts = Partial<Record<'gaps' | 'duplicates', number>>;
const gaps = (row: ClientRow) => (row as ClientRow & DeliveryCounts).gaps ?? 0;
const duplicates = (row: ClientRow) => (row as ClientRow & DeliveryCounts).duplicates ?? 0;

/** Worst first: most errors, then most gaps, then most reconnects, then fewest messages. */
function worstFirst(a: ClientRow, b: ClientRow): number {
	return b.errors - a.errors || gaps(b) - gaps(a) || b.reconnects - a.reconnects || a.messages - b.messages || a.id - b.id;
}

export function clientTable(rows: readonly ClientRow[], cap = defaultRowCap): ClientTable {
	const capped = rows.length > cap;
	const kept = capped ? [...rows].sort(worstFirst).slice(0, cap).sort((a, b) => a.id - b.id) : rows;
	return {
		columns: clientColumns,
		rows: kept.map(row => [
			row.id,
			row.state,
			row.messages,
			row.heartbeats,
			row.errors,
			gaps(row),
			duplicates(row),
			row.reconnects,
			row.connects,
			row.bytes,
			row.connectMs === -1 ? null : round(row.connectMs, 2),
			row.latencyMs === -1 ? null : round(row.latencyMs, 2),
			never(row.lastMessageAt) === null ? null : round(row.lastMessageAt / 1000, 1),
			row.lastEventId === '' ? null : row.lastEventId,
			row.lastError === '' ? null : redactText(row.lastError).slice(0, errorLength),
		]),
		total: rows.length,
		capped,
	};
}
