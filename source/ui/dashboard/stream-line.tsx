import {Text} from 'ink';
import type {Snapshot} from '../../metrics/snapshot.js';
import {formatCount, formatMs} from '../format.js';

/** Request streams, as the summary's Streams lines have them: completed, how they ended, TTFE, stream time; and the undici transport's connections. */
export function StreamLine({snapshot, paint}: {snapshot: Snapshot; paint: (name: string) => string | undefined}) {
	const {streams, transport} = snapshot;
	if (!streams && !transport) {
		return null;
	}

	const failed = streams ? streams.outcomes.cut + streams.outcomes.error + streams.outcomes.timeout : 0;
	const ratio = streams?.completedRatio;
	return (
		<Text wrap="truncate">
			{streams ? `streams ${formatCount(streams.ended)} ended, ${formatCount(streams.inFlight)} in flight · ` : ''}
			{streams ? <Text color={failed > 0 ? paint('red') : undefined}>{`completed ${ratio === null || ratio === undefined ? 'n/a' : `${Math.floor(ratio * 1000) / 10}%`} (cut ${streams.outcomes.cut}, error ${streams.outcomes.error}, timeout ${streams.outcomes.timeout})`}</Text> : ''}
			{streams ? ` · TTFE ${streams.ttfeMs ? `p50 ${formatMs(streams.ttfeMs.p50)} p99 ${formatMs(streams.ttfeMs.p99)}` : 'n/a'} · stream ${streams.streamMs ? `p50 ${formatMs(streams.streamMs.p50)} p99 ${formatMs(streams.streamMs.p99)}` : 'n/a'}` : ''}
			{transport ? `${streams ? ' · ' : ''}undici: ${formatCount(transport.connections)} connections, ${formatCount(transport.streams)} streams` : ''}
		</Text>
	);
}
