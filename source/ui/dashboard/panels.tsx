import {Text} from 'ink';
import type {LogLevel} from '../../config.js';
import type {Snapshot} from '../../metrics/snapshot.js';
import type {ThresholdResult} from '../../reporters/summary.js';
import {formatDuration} from '../../units.js';
import {formatMeasured} from '../../verdict/threshold-eval.js';
import {clock, fit, formatCount, formatMs, formatRate, levelColor, sparkline} from '../format.js';
import type {LogLine} from '../log-buffer.js';
import {StreamLine} from './stream-line.js';

/** What the dashboard shows about the run's configuration (a subset of Config, so tests need not build one). */
export type DashboardInfo = {
	url: string;
	protocol: string;
	scenario: string | undefined;
	clients: number;
	durationMs: number | undefined;
	logLevel: LogLevel;
	/** --target: the names of the targets compared (the client table's ids interleave them) */
	targets?: readonly string[];
};

type Paint = (name: string) => string | undefined;

export function protocolLabel(protocol: string): string {
	return protocol === 'sse' ? 'SSE' : (protocol === 'websocket' ? 'WebSocket (ActionCable)' : protocol);
}

export function Header({info, version, snapshot, clients, paused, stopping}: {info: DashboardInfo; version: string; snapshot: Snapshot; clients: number; paused: boolean; stopping: boolean}) {
	const {elapsedMs} = snapshot;
	const time = info.durationMs === undefined
		? `elapsed ${formatDuration(elapsedMs)} (until q)`
		: `elapsed ${formatDuration(elapsedMs)} / remaining ${formatDuration(Math.max(0, info.durationMs - elapsedMs))}`;
	return (
		<>
			<Text bold wrap="truncate">{`sse-tui ${version} · ${protocolLabel(info.protocol)} · scenario ${info.scenario ?? 'none'} · ${info.url}`}</Text>
			<Text wrap="truncate">
				{`${time} · clients ${clients} (asked ${info.clients})`}
				{snapshot.shape ? ` · ${snapshot.shape.text}` : ''}
				{paused ? <Text bold>{' · PAUSED (p resumes)'}</Text> : ''}
				{stopping ? <Text bold>{' · stopping…'}</Text> : ''}
			</Text>
		</>
	);
}

export function Totals({snapshot, stale, width, paint}: {snapshot: Snapshot; stale: number; width: number; paint: Paint}) {
	const {states, totals, rates, connectMs, latencyMs, history} = snapshot;
	const when = (count: number, name: string) => (count > 0 ? paint(name) : undefined);
	const sparkWidth = Math.max(8, Math.min(60, width - 80));
	const peak = Math.max(0, ...history.slice(-sparkWidth));
	return (
		<>
			<Text wrap="truncate">
				{`open ${states.open}  connecting ${states.connecting}  `}
				<Text color={when(states.reconnecting, 'red')}>{`reconnecting ${states.reconnecting}`}</Text>
				{'  '}
				<Text color={when(states.failed, 'red')}>{`failed ${states.failed}`}</Text>
				{`  closed ${states.closed}  idle ${states.idle}  `}
				<Text color={when(stale, 'yellow')}>{`stale ${stale}`}</Text>
			</Text>
			<Text wrap="truncate">
				{`msgs ${formatCount(totals.messages)} (${formatRate(rates.messagesPerSec)}/s)  hb ${formatCount(totals.heartbeats)} (${formatRate(rates.heartbeatsPerSec)}/s)  `}
				<Text color={when(totals.errors, 'red')}>{`errs ${formatCount(totals.errors)}`}</Text>
				{`  reconn ${formatCount(totals.reconnects)}  recv ${formatCount(totals.bytes)} B`}
			</Text>
			<Text wrap="truncate">
				{'msgs/s '}
				<Text color={paint('green')}>{fit(sparkline(history, sparkWidth), sparkWidth)}</Text>
				{` peak ${formatRate(peak)}  connect ${connectMs ? `p50 ${formatMs(connectMs.p50)} p99 ${formatMs(connectMs.p99)}` : 'n/a'}`}
				{latencyMs ? `  latency p50 ${formatMs(latencyMs.p50)} p99 ${formatMs(latencyMs.p99)}` : ''}
			</Text>
			<DeliveryLine snapshot={snapshot} paint={paint}/>
			<ServerLine snapshot={snapshot} paint={paint}/>
			<StreamLine snapshot={snapshot} paint={paint}/>
		</>
	);
}

/** The server's side (--watch-redis, --watch-stats): last samples, and a difference from the clients in red. */
export function ServerLine({snapshot, paint}: {snapshot: Snapshot; paint: Paint}) {
	const view = snapshot.server;
	if (!view) {
		return null;
	}

	const parts: string[] = [];
	if (view.redis) {
		const last = view.redis.last;
		parts.push(last === null ? 'redis: polling…' : (last.reachable
			? `redis: subs ${view.redis.channels.map(channel => `${channel} ${last.subscribers[channel] ?? 0}`).join(' ')} · clients ${last.connectedClients} · ${formatRate(last.opsPerSec)} ops/s · ${(last.usedMemoryBytes / 1_048_576).toFixed(1)} MiB`
			: `redis: unreachable (${last.error ?? 'no answer'})`));
	}

	if (view.stats) {
		const last = view.stats.last;
		parts.push(last === null ? 'stats: polling…' : (last.reachable
			? `stats: ${view.stats.fields.map(field => `${field} ${last.values[field] ?? 'n/a'}`).join(' · ')}`
			: `stats: unreachable (${last.error ?? 'no answer'})`));
	}

	return (
		<Text wrap="truncate">
			{parts.join('   ')}
			{view.disagreements.length > 0 ? <Text color={paint('red')} bold>{`   ✗ ${view.disagreements.join('; ')}`}</Text> : ''}
		</Text>
	);
}

/** The delivery accounting as the summary's Delivery line has it, so the two tell one story. */
export function DeliveryLine({snapshot, paint}: {snapshot: Snapshot; paint: Paint}) {
	const {delivery, totals, reconnectMs} = snapshot;
	if (delivery.accountedClients === 0 && snapshot.broadcast) {
		const {subscribed, requested} = snapshot.broadcast;
		return <Text wrap="truncate">{`broadcast: waiting for clients to subscribe (${subscribed} so far), then ${formatCount(requested)} messages`}</Text>;
	}

	if (delivery.accountedClients === 0) {
		return <Text wrap="truncate">{totals.messages > 0 ? 'delivery not accounted: no message carries a sequence number (seq, --seq-field, integer id)' : 'delivery: waiting for messages'}</Text>;
	}

	const when = (count: number, name: string) => (count > 0 ? paint(name) : undefined);
	const ratio = delivery.ratio === null ? 'n/a' : `${(Math.floor(delivery.ratio * 1000) / 10).toFixed(1)}%`;
	const reconnects = delivery.reconnects.resumed + delivery.reconnects.notResumed;
	return (
		<Text wrap="truncate">
			<Text color={delivery.ratio !== null && delivery.ratio < 1 ? paint('red') : paint('green')}>{`delivery ${ratio}`}</Text>
			{` (${formatCount(delivery.received)} of ${formatCount(delivery.expected ?? 0)})  `}
			<Text color={when(delivery.gaps, 'red')}>{`gaps ${formatCount(delivery.gaps)}`}</Text>
			{'  '}
			<Text color={when(delivery.duplicates, 'yellow')}>{`dup ${formatCount(delivery.duplicates)}`}</Text>
			{`  out-of-order ${formatCount(delivery.outOfOrder)}  `}
			<Text color={when(delivery.resets, 'yellow')}>{`resets ${formatCount(delivery.resets)}`}</Text>
			{reconnects > 0 ? `  resumed ${delivery.reconnects.resumed}/${reconnects}` : ''}
			{reconnectMs ? `  reconnect p99 ${formatMs(reconnectMs.p99)}` : ''}
			{delivery.foreign > 0 ? `  foreign ${formatCount(delivery.foreign)}` : ''}
			{snapshot.broadcast ? `  · broadcast ${formatCount(snapshot.broadcast.published)}/${formatCount(snapshot.broadcast.requested)} published, ${formatCount(snapshot.broadcast.owed)} deliveries owed` : ''}
		</Text>
	);
}

export function LogPane({lines, level, suppressed, count, paint}: {lines: readonly LogLine[]; level: LogLevel; suppressed: number; count: number; paint: Paint}) {
	const padding = Array.from({length: Math.max(0, count - lines.length)}, (_, index) => index);
	return (
		<>
			<Text bold wrap="truncate">{`log (${level} and above)${suppressed > 0 ? ` · ${suppressed} lines over the rate limit not shown` : ''}`}</Text>
			{lines.map(line => (
				<Text key={line.seq} wrap="truncate" color={paint(levelColor[line.level])}>
					{`${clock(line.at)} ${line.level.toUpperCase().padEnd(5)} ${line.text}`}
				</Text>
			))}
			{padding.map(index => <Text key={`pad-${index}`}> </Text>)}
		</>
	);
}

/** --threshold results as of now: `thresholds: ✓ delivery>=100% (100%)  ✗ p99<250ms (312ms)`. */
export function ThresholdsLine({results, paint}: {results: readonly ThresholdResult[]; paint: Paint}) {
	return (
		<Text wrap="truncate">
			{'thresholds:'}
			{results.map((result, index) => (
				<Text key={`${index}:${result.expr}`} color={paint(result.passed ? 'green' : 'red')}>
					{`${index === 0 ? ' ' : '  '}${result.passed ? '✓' : '✗'} ${result.expr} (${formatMeasured(result.metric, result.value)})`}
				</Text>
			))}
		</Text>
	);
}
