import {publishNumbered, summaryHead, tallySummary, type BroadcastDeps} from '../broadcast.js';
import type {BroadcastConfig, BroadcastTarget} from '../config-delivery.js';
import {BroadcastTally} from '../metrics/broadcast-tally.js';
import type {MetricsStore} from '../metrics/store.js';
import type {BroadcastSummary} from '../reporters/summary.js';
import {formatDuration} from '../units.js';
import {sleep} from '../engine/backoff.js';

export type CompareBroadcastMember = {name: string; config: BroadcastConfig; store: MetricsStore; clients: number};

export type CompareBroadcast = {
	/** settle (every target), publish (once per distinct publish target), drain; rejects when publishing fails */
	drive(): Promise<void>;
	/** the target's broadcast block, as a run against it alone has it */
	summary(name: string): BroadcastSummary;
};

const pollMs = 25;

/**
 * The broadcast scenario over the compared targets. Each target keeps its own tally in its own
 * store, so its block is exactly the ordinary one. Targets that publish the same way (one
 * --publish Redis, or one --trigger URL) share one publisher: each message is published once,
 * and every target that listens there counts it as published at that moment. A target with a
 * trigger of its own (`--trigger NAME=URL`) gets its messages through its own server.
 */
export function createCompareBroadcast({members, stop, timeoutMs, log, deps}: {
	members: readonly CompareBroadcastMember[];
	stop: AbortSignal;
	timeoutMs: number;
	log(level: 'info' | 'warn', text: string): void;
	deps: BroadcastDeps;
}): CompareBroadcast {
	const tallies = members.map(member => {
		const tally = new BroadcastTally(member.config.runId, member.config.count, member.clients);
		member.store.trackBroadcast(tally);
		return tally;
	});
	const openAtStart = members.map(() => 0);
	const settledMs = members.map(() => 0);
	const first = members[0]!;
	const {settleMs, drainMs, count, rate, runId, padBytes} = first.config;
	const elapsed = () => first.store.elapsed();
	const allSubscribed = () => members.every((member, index) => tallies[index]!.subscribed >= member.clients);

	async function publishGroup(target: BroadcastTarget, group: number[]): Promise<void> {
		await publishNumbered(deps, {target, count, rate, runId, padBytes}, {timeoutMs, stop}, (seq, agoMs) => {
			for (const index of group) {
				tallies[index]!.publishing(seq, members[index]!.store.elapsed() - agoMs);
			}
		});
	}

	async function drive(): Promise<void> {
		const settleEnd = elapsed() + settleMs;
		while (!stop.aborted && !allSubscribed() && elapsed() < settleEnd) {
			await sleep(pollMs, stop);
		}

		if (stop.aborted) {
			return;
		}

		for (const [index, member] of members.entries()) {
			openAtStart[index] = tallies[index]!.subscribed;
			settledMs[index] = member.store.elapsed();
		}

		const short = members.filter((member, index) => openAtStart[index]! < member.clients);
		log(short.length > 0 ? 'warn' : 'info', short.length > 0
			? `--settle ${formatDuration(settleMs)} ran out with ${short.map(member => `${member.name} ${openAtStart[members.indexOf(member)]}/${member.clients}`).join(', ')} subscribed; publishing anyway`
			: `every target's clients subscribed after ${formatDuration(settledMs[0]!)}; publishing ${count} messages${rate > 0 ? ` at ${rate}/s` : ''} (run ${runId})`);

		const groups = new Map<string, {target: BroadcastTarget; indices: number[]}>();
		for (const [index, member] of members.entries()) {
			const key = JSON.stringify(member.config.target);
			const group = groups.get(key) ?? {target: member.config.target, indices: []};
			group.indices.push(index);
			groups.set(key, group);
		}

		await Promise.all([...groups.values()].map(async group => publishGroup(group.target, group.indices)));

		const drainEnd = elapsed() + drainMs;
		while (!stop.aborted && elapsed() < drainEnd && !tallies.every(tally => tally.complete())) {
			await sleep(pollMs, stop);
		}

		log('info', `published ${tallies[0]!.published} messages; ${tallies.every(tally => tally.complete()) ? 'every expected delivery arrived at every target' : `drained for ${formatDuration(drainMs)}`}`);
	}

	return {
		drive,
		summary(name) {
			const index = members.findIndex(member => member.name === name);
			const {config} = members[index]!;
			return {...summaryHead(config, openAtStart[index]!, settledMs[index]!), ...tallySummary(tallies[index]!.result())};
		},
	};
}
