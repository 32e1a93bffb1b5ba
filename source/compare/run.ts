import type {BroadcastDeps} from '../broadcast.js';
import type {Config} from '../config.js';
import {createClientFactory} from '../engine/client-factory.js';
import {createPool} from '../engine/pool.js';
import type {ClientEvent, ClientSink} from '../engine/types.js';
import {MetricsStore} from '../metrics/store.js';
import {openEventLog} from '../reporters/events.js';
import type {RunControls} from '../reporters/presenter.js';
import {checkReportPath} from '../reporters/report/write-report.js';
import {buildSummary, type StopReason, type Summary} from '../reporters/summary.js';
import {createTextPresenter} from '../reporters/text.js';
import type {RunIO} from '../run.js';
import {formatMeasured} from '../verdict/threshold-eval.js';
import {watchThresholds, type ThresholdWatch} from '../verdict/threshold-watch.js';
import {createCompareBroadcast, type CompareBroadcast} from './broadcast.js';
import {compareSummaries, type Comparison} from './comparison.js';
import {checkCompareLimits, globalId, wholeRun} from './whole-run.js';
import {deliverSummary} from '../reporters/deliver-summary.js';

/** How often the dashboard's side-by-side columns are recomputed (a summary per target, the broadcast tally's included). */
const liveEveryMs = 500;

/**
 * A `--target` run: one pool of clients and one MetricsStore per target, each fed only by its
 * own clients, so every target's summary is the one a run against it alone would give. A
 * whole-run store sees every event too (client ids interleaved: target i of n holds ids
 * i+1, i+1+n, …) for the top-level summary, the client table, the event log and the report.
 */
export async function runCompare(config: Config, io: RunIO & {loadBroadcastDeps(): Promise<BroadcastDeps>}): Promise<Summary> {
	const {targets, thresholds} = config.compare!;
	const count = targets.length;
	checkCompareLimits(config);
	if (config.report !== undefined) {
		await checkReportPath(config.report);
	}

	const startedAt = new Date();
	const textOut = config.json || config.events === '-' ? io.stderr : io.stdout;
	const presenter = io.presenter ?? createTextPresenter(config, textOut, {version: io.version, printSummary: !config.json});
	let deliveryLog: ((event: ClientEvent) => void) | undefined;
	const whole = new MetricsStore({
		seqField: config.seqField,
		latencyField: config.latencyField,
		onDeliveryEvent(event) {
			deliveryLog?.(event);
			if (presenter.wantsEvents) {
				presenter.event(event, whole.elapsed());
			}
		},
	});
	const stores = targets.map(({config: own}) => new MetricsStore({seqField: own.seqField, latencyField: own.latencyField, subscribeOn: own.ws?.mode === 'cable' ? 'confirm' : 'open'}));
	const broadcastDeps = config.broadcast && (io.broadcastDeps ?? await io.loadBroadcastDeps());
	let end: (reason: StopReason) => void = () => undefined;
	let eventLogFailure: string | undefined;
	const eventLog = config.events === undefined ? undefined : await openEventLog(config.events, io.stdout, () => whole.elapsed(), reason => {
		eventLogFailure = reason;
		presenter.message('error', `${reason}; stopping the run`, whole.elapsed());
		end('error');
	});
	deliveryLog = eventLog && (event => {
		eventLog.write(withTarget(event, targets[(event.client - 1) % count]!.name));
	});

	const notes = new Set<string>();
	const sinkFor = (index: number): ClientSink => ({
		emit(event) {
			stores[index]!.emit(event);
			// The same object, its id made global for the whole-run readers, then given back.
			const local = event.client;
			event.client = globalId(local, index, count);
			whole.emit(event);
			eventLog?.write(withTarget(event, targets[index]!.name));
			if (presenter.wantsEvents) {
				presenter.event(event, whole.elapsed());
			}

			event.client = local;
		},
		bytes(client, bytes) {
			stores[index]!.bytes(client, bytes);
			whole.bytes(globalId(client, index, count), bytes);
		},
		note(text) {
			const line = `${targets[index]!.name}: ${text}`;
			if (!notes.has(line)) {
				notes.add(line);
				presenter.message('warn', line, whole.elapsed());
			}
		},
	});

	const finished = new Set<number>();
	const factories = targets.map(({config: own}, index) => createClientFactory(own, sinkFor(index)));
	const pools = targets.map(({config: own}, index) => createPool({
		startIntervalMs: own.startIntervalMs,
		createClient: factories[index]!.create,
		onAllFinished() {
			finished.add(index);
			if (finished.size === count) {
				end('finished');
			}
		},
	}));
	const controls: RunControls = {
		addClients(more) {
			for (const pool of pools) {
				pool.add(more);
			}
		},
		async removeClients(fewer) {
			await Promise.all(pools.map(async pool => pool.remove(fewer)));
		},
		stop() {
			end('signal');
		},
		get clients() {
			return pools.reduce((sum, pool) => sum + pool.size, 0);
		},
	};

	let broadcast: CompareBroadcast | undefined;
	const targetSummary = (index: number, stoppedBy: StopReason, snapshot = stores[index]!.snapshot()) => buildSummary(snapshot, targets[index]!.config, {
		startedAt, stoppedBy, broadcast: broadcast?.summary(targets[index]!.name) ?? null,
	});
	let live: {at: number; comparison: Comparison} | undefined;
	const liveComparison = (): Comparison => {
		const now = whole.elapsed();
		if (live === undefined || now - live.at >= liveEveryMs) {
			live = {at: now, comparison: compareSummaries(targets.map(({name}, index) => {
				const snapshot = stores[index]!.getSnapshot();
				const summary = targetSummary(index, 'duration', snapshot);
				// Live, msgs/s is the last second's, as the ordinary dashboard shows it; at the end, the run's average.
				return {name, summary: {...summary, messages: {...summary.messages, perSecond: snapshot.rates.messagesPerSec}}};
			}))};
		}

		return live.comparison;
	};

	let failure: unknown;
	const broadcastStop = new AbortController();
	const stoppedBy = await new Promise<StopReason>(resolve => {
		let timer: NodeJS.Timeout | undefined;
		const watches: ThresholdWatch[] = [];
		const onAbort = () => {
			end('signal');
		};

		end = reason => {
			end = () => undefined;
			broadcastStop.abort();
			clearTimeout(timer);
			io.stop.removeEventListener('abort', onAbort);
			for (const watch of watches) {
				watch.stop();
			}

			resolve(reason);
		};

		for (const [index, own] of thresholds.entries()) {
			if (own.length > 0) {
				watches.push(watchThresholds({
					thresholds: own,
					summarize: () => targetSummary(index, 'duration'),
					onCannotPass: config.abortOnFail ? (threshold, result) => {
						presenter.message('error', `threshold ${threshold.expr} can no longer pass (${result.metric} ${formatMeasured(result.metric, result.value)}): stopping (--abort-on-fail)`, whole.elapsed());
						end('threshold');
					} : undefined,
				}));
			}
		}

		whole.startSampling();
		for (const store of stores) {
			store.startSampling();
			// getSnapshot (the live columns) is the store's tick snapshot.
			store.startTicking(liveEveryMs);
		}

		presenter.start({
			config,
			store: whole,
			controls,
			thresholds: watches.length === 0 ? undefined : {latest: () => watches.flatMap(watch => watch.latest())},
			compare: {names: targets.map(target => target.name), live: liveComparison},
		});
		if (io.stop.aborted) {
			end('signal');
			return;
		}

		io.stop.addEventListener('abort', onAbort, {once: true});
		if (config.durationMs !== undefined) {
			timer = setTimeout(() => {
				end('duration');
			}, config.durationMs);
		}

		// Every target's clients start together, on the same ramp.
		for (const [index, pool] of pools.entries()) {
			pool.add(targets[index]!.config.clients);
		}

		if (config.broadcast && broadcastDeps) {
			broadcast = createCompareBroadcast({
				members: targets.map(({name, config: own}, index) => ({name, config: own.broadcast!, store: stores[index]!, clients: own.clients})),
				stop: broadcastStop.signal,
				timeoutMs: Math.min(config.timeoutMs, 10_000),
				log(level, text) {
					presenter.message(level, text, whole.elapsed());
				},
				deps: broadcastDeps,
			});
			broadcast.drive().then(() => {
				end('finished');
			}, (error: unknown) => {
				failure = error;
				end('finished');
			});
		}
	});

	whole.stopSampling();
	// The broadcast verdict is taken before the clients close: closing is not losing messages.
	const perTarget = targets.map((_, index) => targetSummary(index, stoppedBy));
	for (const store of stores) {
		store.stopSampling();
		store.stopTicking();
	}

	presenter.message('info', `stopping (${stoppedBy}): closing ${controls.clients} clients`, whole.elapsed());
	await Promise.all(pools.map(async pool => pool.stop()));
	await Promise.all(factories.map(async factory => factory.close()));
	await eventLog?.close();

	// Counts and percentiles of the ended run, the broadcast block as it was before closing.
	const final = targets.map((_, index) => ({...targetSummary(index, stoppedBy), broadcast: perTarget[index]!.broadcast}));
	const summary = wholeRun(config, buildSummary(whole.snapshot(), {...config, clients: config.clients * count}, {startedAt, stoppedBy}), final);
	return deliverSummary(summary, {config, presenter, stdout: io.stdout, textOut, version: io.version, store: whole, eventLogFailure, failure});
}

/** An event log line names its target beside the whole-run client id (README: --events with --target). */
function withTarget(event: ClientEvent, target: string): ClientEvent {
	return {...event, target} as unknown as ClientEvent;
}
