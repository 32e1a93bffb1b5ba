import {RunError} from './errors.js';
import type {BroadcastDeps} from './broadcast.js';
import type {Config} from './config.js';
import type {AgentGroup} from './agents/agent-group.js';
import type {MetricsStore} from './metrics/store.js';
import type {Presenter} from './reporters/presenter.js';
import type {RunIO} from './run.js';
import type {ServerView} from './watch/server-view.js';
import type {ShapeFeedTarget} from './workers/lifecycle.js';

/*
 * The parts of a run that are loaded only when asked for: the server's side, the publishers of
 * the broadcast scenario, the load agents. Kept out of run.ts, which wires them.
 */

/** The server's side (--watch-redis, --watch-stats), loaded only when asked for. */
export async function createServerView(watch: NonNullable<Config['watch']>, clientsOpen: () => number): Promise<ServerView> {
	const [{RedisWatch}, {StatsWatch}, {ServerView}] = await Promise.all([import('./watch/redis-watch.js'), import('./watch/stats-watch.js'), import('./watch/server-view.js')]);
	return new ServerView({
		redis: watch.redisUrl === undefined ? undefined : new RedisWatch(watch.redisUrl, watch.channels),
		stats: watch.statsUrl === undefined ? undefined : new StatsWatch(watch.statsUrl, watch.fields),
		perStream: watch.perStream,
		clientsOpen,
	});
}

/** The publishers, loaded only for a broadcast run. */
export async function loadBroadcastDeps(): Promise<BroadcastDeps> {
	const publish = await import('./publish/index.js');
	return {openPublisher: publish.openPublisher, message: publish.broadcastMessage};
}

/** --agents: waits for them (Ctrl-C while waiting ends the run with nothing measured), loaded only when asked for. */
export async function startAgents(config: Config, options: NonNullable<Config['agents']>, store: MetricsStore, io: RunIO, presenter: Presenter, onAllFinished: () => void, shapes: ShapeFeedTarget | undefined): Promise<AgentGroup & {status(): {name: string; text: string}}> {
	const {createAgentGroup} = await import('./agents/agent-group.js');
	const {formatAgentRow} = await import('./agents/table.js');
	const log = (level: 'error' | 'warn' | 'info', text: string) => {
		presenter.message(level, text, store.elapsed());
	};

	const group = await createAgentGroup({config, agents: options, store, version: io.version, stop: io.stop, log, onAllFinished, shapes});
	if (group === undefined) {
		throw new RunError('stopped while waiting for the agents: nothing was run');
	}

	return {
		...group,
		async close() {
			await group.close();
			for (const row of group.rows()) {
				log(row.state === 'lost' ? 'error' : 'info', `agent ${formatAgentRow(row)}`);
			}
		},
		status() {
			const rows = group.rows();
			const lost = rows.filter(row => row.state === 'lost').length;
			return {name: 'agents', text: `${rows.length} agents${lost > 0 ? ` (${lost} lost)` : ''}: ${rows.map(row => `${row.name} ${row.state === 'lost' ? 'LOST' : `${row.open}/${row.clients}`} lag ${row.lagMs ?? '-'}ms`).join(', ')}`};
		},
	};
}
