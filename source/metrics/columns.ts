/**
 * The per-client numeric columns (request streams: streams ended, events of the current one, its
 * start in run ms or -1 between streams, the last TTFE) of the metrics store, one typed array each, indexed by client id.
 */
export const columnNames = ['messages', 'heartbeats', 'errors', 'reconnects', 'connects', 'bytes', 'lastMessageAt', 'lastHeartbeatAt', 'connectMs', 'latencyMs', 'gaps', 'duplicates', 'streams', 'streamEvents', 'streamStartAt', 'ttfeMs'] as const;
export type Column = typeof columnNames[number];
/** Columns holding a time or a duration start at -1 ("never"); counters start at 0. */
const unsetIsMinusOne = new Set<Column>(['lastMessageAt', 'lastHeartbeatAt', 'connectMs', 'latencyMs', 'streamStartAt', 'ttfeMs']);

/** A column's value before anything was recorded in it. */
export function unsetValue(name: Column): number {
	return unsetIsMinusOne.has(name) ? -1 : 0;
}

export function createColumns(capacity: number): Record<Column, Float64Array> {
	const columns = {} as Record<Column, Float64Array>;
	for (const name of columnNames) {
		columns[name] = new Float64Array(capacity).fill(unsetValue(name));
	}

	return columns;
}
