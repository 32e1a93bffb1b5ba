import type {Config} from '../config.js';
import {UsageError} from '../errors.js';
import {redactUrl} from '../redact.js';
import type {Summary} from '../reporters/summary.js';
import {evaluate} from '../verdict/threshold-eval.js';
import {planWorkers} from '../workers/plan.js';
import {compareSummaries} from './comparison.js';

/** Target `index`'s client `local` (1, 2, …) in the whole run, of `count` targets: ids interleave, so `+` can add to every target. */
export function globalId(local: number, index: number, count: number): number {
	return ((local - 1) * count) + index + 1;
}

/** Which target a whole-run client id belongs to (0-based). */
export function targetOf(id: number, count: number): number {
	return (id - 1) % count;
}

/** Every target's clients live in this one process: they must fit its open-files limit together. */
export function checkCompareLimits(config: Config, machine?: Parameters<typeof planWorkers>[1]): void {
	const count = config.compare!.targets.length;
	const total = config.clients * count;
	const {workers, perWorker} = planWorkers({...config, clients: total, workers: undefined, events: undefined}, machine);
	if (workers > 1) {
		throw new UsageError(`--target runs ${count} x ${config.clients} = ${total} clients in one process, more than its open-files limit allows (${perWorker ?? '?'}): lower --clients to ${Math.floor((perWorker ?? total) / count)}, or raise the limit: ulimit -n $(ulimit -Hn)`);
	}
}

/**
 * The top-level summary of a compared run: the whole run's counts (every target's clients),
 * each target's own summary with its thresholds judged on it, every threshold result listed
 * (`NAME:expr`), and the comparison block.
 */
export function wholeRun(config: Config, whole: Summary, finals: readonly Summary[]): Summary {
	const {targets, thresholds} = config.compare!;
	const judged = finals.map((summary, index) => ({...summary, thresholds: evaluate(thresholds[index]!, summary)}));
	const protocols = new Set(targets.map(target => target.config.ws ? `websocket/${target.config.ws.mode}` : 'sse'));
	return {
		...whole,
		target: {
			url: targets.map(target => `${target.name}=${redactUrl(target.config.url)}`).join(' '),
			protocol: protocols.size === 1 ? whole.target.protocol : 'mixed',
			mode: protocols.size === 1 ? whole.target.mode : null,
			scenario: whole.target.scenario,
		},
		thresholds: judged.flatMap(summary => summary.thresholds),
		targets: Object.fromEntries(targets.map((target, index) => [target.name, judged[index]!])),
		comparison: compareSummaries(targets.map((target, index) => ({name: target.name, summary: judged[index]!}))),
	};
}
