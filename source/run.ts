import type {Writable} from 'node:stream';
import {createBroadcastRun, type BroadcastDeps, type BroadcastRun} from './broadcast.js';
import type {Config} from './config.js';
import {createClientFactory, openTransport} from './engine/client-factory.js';
import {createPool} from './engine/pool.js';
import type {ClientEvent, ClientSink} from './engine/types.js';
import {MetricsStore} from './metrics/store.js';
import {clientStoreOptions} from './metrics/store-options.js';
import {openEventLog} from './reporters/events.js';
import type {Presenter, RunControls} from './reporters/presenter.js';
import {buildSummary, type StopReason, type Summary} from './reporters/summary.js';
import {createTextPresenter} from './reporters/text.js';
import {formatMeasured, withThresholds} from './verdict/threshold-eval.js';
import {watchThresholds, type ThresholdWatch} from './verdict/threshold-watch.js';
import {checkReportPath} from './reporters/report/write-report.js';
import {createShapeRun, type ShapeRun} from './shapes/driver.js';
import {createWorkerGroup, type WorkerGroup} from './workers/group.js';
import type {ShapeFeedTarget} from './workers/lifecycle.js';
import {feedFor, heardFlushMs} from './workers/lifecycle.js';
import {metricsIntervalMs} from './workers/protocol.js';
import {planWorkers} from './workers/plan.js';
import {checkAgentsRun} from './agents/config-agents.js';
import {deliverSummary} from './reporters/deliver-summary.js';
import {createServerView, loadBroadcastDeps, startAgents} from './run-parts.js';

export type RunIO = {
	stdout: Writable;
	stderr: Writable;
	version: string;
	/** aborts to end the run (Ctrl-C / SIGTERM) */
	stop: AbortSignal;
	/** the live view; the plain-text reporter when omitted */
	presenter?: Presenter;
	/** how the broadcast scenario publishes (tests may swap it) */
	broadcastDeps?: BroadcastDeps;
};

/**
 * Wires one run: config -> pool of clients -> metrics store -> presenter (plain text or the
 * TUI) and the JSON / NDJSON reporters. Resolves with the final summary once every client
 * is closed.
 */
export async function run(config: Config, io: RunIO): Promise<Summary> {
	// --target: N targets side by side (source/compare/run.ts).
	if (config.compare) {
		const {runCompare} = await import('./compare/run.js');
		return runCompare(config, {...io, loadBroadcastDeps});
	}

	checkAgentsRun(config);
	// With --agents the clients run on other hosts: this process only merges and shows.
	const {workers} = config.agents ? {workers: 0} : planWorkers(config);
	if (config.report !== undefined) {
		await checkReportPath(config.report);
	}

	const startedAt = new Date();
	// stdout carries exactly one JSON object with --json, or the event log with --events -.
	const textOut = config.json || config.events === '-' ? io.stderr : io.stdout;
	const presenter = io.presenter ?? createTextPresenter(config, textOut, {version: io.version, printSummary: !config.json});
	// Delivery findings (gap, reset) go where client events go; the log opens just below.
	let deliveryLog: ((event: ClientEvent) => void) | undefined;
	// With workers each has its own undici transport: their counts travel in the wire messages.
	const transport = workers === 1 ? await openTransport(config) : undefined;
	const store: MetricsStore = new MetricsStore({
		...clientStoreOptions(config, transport, () => store.mergedTransport()),
		onDeliveryEvent(event) {
			deliveryLog?.(event);
			if (presenter.wantsEvents) {
				presenter.event(event, store.elapsed());
			}
		},
	});
	const broadcastDeps = config.broadcast && (io.broadcastDeps ?? await loadBroadcastDeps());
	const agentsBroadcast = config.broadcast && config.agents ? await import('./agents/broadcast-agents.js') : undefined;
	const remoteBroadcast = config.broadcast && workers > 1 ? await import('./broadcast-remote.js') : undefined;
	let end: (reason: StopReason) => void = () => undefined;
	// A run whose event log cannot be written stops: the log is what the user asked for.
	let eventLogFailure: string | undefined;
	const onEventLogFailure = (reason: string) => {
		if (eventLogFailure === undefined) {
			eventLogFailure = reason;
			presenter.message('error', `${reason}; stopping the run`, store.elapsed());
			end('error');
		}
	};

	const eventLog = config.events === undefined ? undefined : await openEventLog(config.events, io.stdout, () => store.elapsed(), onEventLogFailure);
	deliveryLog = eventLog && (event => {
		eventLog.write(event);
	});

	const notes = new Set<string>();
	let shape: ShapeRun | undefined;
	const sink: ClientSink = {
		emit(event: ClientEvent) {
			store.emit(event);
			shape?.observe(event);
			eventLog?.write(event);
			if (presenter.wantsEvents) {
				presenter.event(event, store.elapsed());
			}
		},
		bytes(client, count) {
			store.bytes(client, count);
		},
		note(text) {
			if (!notes.has(text)) {
				notes.add(text);
				presenter.message('warn', text, store.elapsed());
			}
		},
	};

	const feed = feedFor(config);
	// Worker processes and agents forward their clients' lives to the shape driver, which runs here.
	const shapeFeed: ShapeFeedTarget = {
		observe(event, now) {
			shape?.observe(event, now);
		},
		heard(ids, heartbeats, now) {
			shape?.heard(ids, heartbeats, now);
		},
	};
	// The shape driver runs here and steers the agents: their clients' lives come back in their messages.
	const agents = config.agents && await startAgents(config, config.agents, store, io, presenter, () => {
		end('finished');
	}, feed === 'none' ? undefined : shapeFeed);
	// More than one worker: the clients run in child processes and this one only merges and shows.
	const factory = workers === 1 ? createClientFactory(config, sink, transport) : undefined;
	let group: WorkerGroup | undefined;
	const pool = agents ? agents.pool : factory ? createPool({
		startIntervalMs: config.startIntervalMs,
		createClient: factory.create,
		onAllFinished() {
			end('finished');
		},
	}) : group = createWorkerGroup({
		config,
		workers,
		store,
		log(level, text) {
			presenter.message(level, text, store.elapsed());
		},
		onAllFinished() {
			end('finished');
		},
		onEventsFailed: onEventLogFailure,
		shapes: feed === 'none' ? undefined : {feed, ...shapeFeed},
	});
	shape = createShapeRun({
		config,
		pool,
		store,
		...(group ? {rss: group.rss, baselineRss: group.baselineRss, heardLagMs: heardFlushMs + metricsIntervalMs} : {}),
		...(agents ? {rss: agents.rss, baselineRss: agents.baselineRss, heardLagMs: agents.heardLagMs, startDelayMs: agents.startDelayMs} : {}),
		end(reason) {
			end(reason);
		},
		log(level, text) {
			presenter.message(level, text, store.elapsed());
		},
	});
	store.shapeStatus = agents ? () => shape?.status() ?? agents.status() : shape.status;
	const controls: RunControls = {
		addClients(count) {
			pool.add(count);
		},
		async removeClients(count) {
			await pool.remove(count);
		},
		stop() {
			end('signal');
		},
		get clients() {
			return pool.size;
		},
	};

	const serverView = config.watch && await createServerView(config.watch, () => store.openClients);
	if (serverView) {
		store.showServer(elapsedMs => serverView.now(elapsedMs));
	}

	let broadcast: Pick<BroadcastRun, 'drive' | 'summary'> | undefined;
	let failure: unknown;
	const broadcastStop = new AbortController();
	const stoppedBy = await new Promise<StopReason>(resolve => {
		let timer: NodeJS.Timeout | undefined;
		let watch: ThresholdWatch | undefined;
		const onAbort = () => {
			end('signal');
		};

		end = reason => {
			end = () => undefined;
			broadcastStop.abort();
			shape?.stop();
			clearTimeout(timer);
			io.stop.removeEventListener('abort', onAbort);
			watch?.stop();
			resolve(reason);
		};

		watch = config.thresholds.length === 0 ? undefined : watchThresholds({
			thresholds: config.thresholds,
			summarize: () => ({...buildSummary(store.snapshot(), config, {startedAt, stoppedBy: 'duration', broadcast: broadcast?.summary() ?? null}), ...(agents && {agents: agents.summary()})}),
			onCannotPass: config.abortOnFail ? (threshold, result) => {
				presenter.message('error', `threshold ${threshold.expr} can no longer pass (${result.metric} ${formatMeasured(result.metric, result.value)}): stopping (--abort-on-fail)`, store.elapsed());
				end('threshold');
			} : undefined,
		});
		store.startSampling();
		serverView?.start(() => store.elapsed());
		presenter.start({config, store, controls, thresholds: watch, ...(agents && {agents: {rows: () => agents.rows()}})});
		if (io.stop.aborted) {
			end('signal');
			return;
		}

		io.stop.addEventListener('abort', onAbort, {once: true});
		// Hold counts --duration from the moment every client is open (source/shapes/driver.ts).
		if (config.durationMs !== undefined && !shape?.ownsDuration) {
			timer = setTimeout(() => {
				end('duration');
			}, config.durationMs + (agents?.startDelayMs ?? 0));
		}

		shape?.start();
		// A stage line starts at 0 clients: the agents still get their plan and start instant now.
		agents?.begin();
		if (config.broadcast && broadcastDeps) {
			const broadcastOptions = {
				config: config.broadcast,
				// With --stages: publish once the first stage's target is subscribed.
				clients: config.shape.stages ? Math.max(1, config.shape.stages[0]!.target) : config.clients,
				store,
				stop: broadcastStop.signal,
				timeoutMs: Math.min(config.timeoutMs, 10_000),
				log(level: 'info' | 'warn', text: string) {
					presenter.message(level, text, store.elapsed());
				},
				deps: broadcastDeps,
			};
			// Agents or workers tally their own clients; this process publishes and adds the tallies up.
			const remote = agents && agentsBroadcast
				? agentsBroadcast.createAgentsBroadcastRun({...broadcastOptions, agents: agents.broadcast})
				: (group && remoteBroadcast ? remoteBroadcast.createRemoteBroadcastRun({...broadcastOptions, remotes: group.broadcast, wording: {on: '', every: ''}}) : undefined);
			// The dashboard's progress line: from the remote tallies, or the store's own.
			store.remoteBroadcast = remote?.progress;
			broadcast = remote ?? createBroadcastRun(broadcastOptions);

			broadcast.drive().then(() => {
				end('finished');
			}, (error: unknown) => {
				failure = error;
				end('finished');
			});
		}
	});

	store.stopSampling();
	await serverView?.stop();
	// The broadcast verdict is taken before the clients close: closing is not losing messages.
	const broadcastSummary = broadcast?.summary() ?? null;
	// Likewise the shape's: memory and stale clients are of the held connections.
	// Over agents, their clients' lives come a tick or two late: the shape counts them up to the end.
	if (agents && feed !== 'none') {
		await agents.settle();
	}

	const shapeSummary = shape.summary();
	presenter.message('info', `stopping (${stoppedBy}): closing ${pool.size} clients`, store.elapsed());
	await pool.stop();
	await factory?.close();
	await agents?.close();
	await eventLog?.close();

	const buffered = factory?.buffered() ?? store.mergedBuffered();
	const built = buildSummary(store.snapshot(), config, {startedAt, stoppedBy, broadcast: broadcastSummary, server: serverView?.summary() ?? null, shape: shapeSummary, buffered});
	const summary = withThresholds(agents ? {...built, agents: agents.summary()} : built, config.thresholds);
	return deliverSummary(summary, {config, presenter, stdout: io.stdout, textOut, version: io.version, store: store, eventLogFailure, failure});
}
