import os from 'node:os';
import process from 'node:process';
import {parseCommand} from '../arguments.js';
import {RunError, UsageError} from '../errors.js';
import {parseRedisUrl, redactRedisUrl} from '../redis-url.js';
import {parseLocalAddresses} from '../shapes/config-shapes.js';
import type {StopReason} from '../reporters/summary.js';
import {parseDuration, parseInteger} from '../units.js';
import {openFileLimit} from '../workers/plan.js';
import {runShare} from './agent-run.js';
import {agentCheckMs, agentProtocolVersion, controllerGraceMs, keys, leaseMs, namePattern, reconnectGraceMs, redisLostMs, tickMs, type AgentInfo, type ControllerInfo, type Plan} from './protocol.js';
import {connect, firstReady} from './redis.js';

const help = `
  Usage
    $ sse-tui agent --redis URL [--name NAME] [--run ID]

  A load agent: registers in Redis, waits for a controller (sse-tui ... --agents N --redis URL)
  to hand it a share of the clients, runs them, streams its metrics every 250 ms, and exits when
  the run ends (or a few seconds after its controller is gone). It never listens on a port.

  Options
    --redis URL            the Redis the controller uses (env REDIS_URL), e.g. redis://:password@redis:6379
    --name NAME            unique among the run's agents (letters, digits, . _ -)   default: HOST-PID
    --run ID               pairs agents with a controller started with the same --run   default: default
    --local-address LIST   bind this agent's client sockets to these source IPs in turn (beats the controller's)
    --workers N            client processes on this host   default: by the open-files limit, as sse-tui --workers
    --wait D               give up (exit 1) when no run came within D   default: wait until stopped
    --json                 print this agent's own summary of the run as one JSON object on stdout

  Examples
    $ sse-tui agent --redis redis://127.0.0.1:6379 --name a1
    $ sse-tui agent --redis redis://redis:6379 --name "agent-$JOB_COMPLETION_INDEX" --run nightly
`;

const flags = {
	redis: {type: 'string'},
	name: {type: 'string'},
	run: {type: 'string'},
	localAddress: {type: 'string'},
	workers: {type: 'string'},
	wait: {type: 'string'},
	json: {type: 'boolean'},
	help: {type: 'boolean'},
} as const;

export function checkName(text: string, flag: string): string {
	if (!namePattern.test(text)) {
		throw new UsageError(`${flag} takes 1 to 64 letters, digits, dots, dashes or underscores (got "${text}")`);
	}

	return text;
}

/** `sse-tui agent`: the exit code (0 after a run, 1 when the controller was lost or no run came). */
export async function runAgentCommand(argv: string[]): Promise<number> {
	const cli = await parseCommand(argv, {name: 'sse-tui agent', help, flags, importMeta: import.meta});
	const version = cli.pkg.version ?? '0.0.0';
	const given = cli.flags as {redis?: string; name?: string; run?: string; localAddress?: string; workers?: string; wait?: string; json?: boolean; help?: boolean};
	if (given.help) {
		process.stdout.write(help.trimStart() + '\n');
		return 0;
	}

	const redisText = given.redis ?? process.env['REDIS_URL'];
	if (redisText === undefined || redisText === '') {
		throw new UsageError('sse-tui agent needs --redis URL (or REDIS_URL), the Redis its controller uses, e.g. --redis redis://127.0.0.1:6379');
	}

	const url = parseRedisUrl(redisText, '--redis');
	const name = checkName(given.name ?? `${os.hostname()}-${process.pid}`.replaceAll(/[^\w.-]/g, '-').slice(0, 64), '--name');
	const run = checkName(given.run ?? 'default', '--run');
	const localAddresses = given.localAddress === undefined ? undefined : parseLocalAddresses(given.localAddress);
	const workers = given.workers === undefined ? undefined : parseInteger(given.workers, '--workers', 1, 64);
	const waitMs = given.wait === undefined ? undefined : parseDuration(given.wait, '--wait');
	const log = (level: string, text: string) => {
		process.stderr.write(`agent ${name}: ${level === 'info' ? '' : `${level}: `}${text}\n`);
	};

	const names = keys(run);
	const connection = connect(url, text => {
		log('warn', text);
	});
	const commands = connect(url, () => undefined);
	let stopAgent: (reason: StopReason) => void = () => undefined;
	const stopped = new Promise<StopReason>(resolve => {
		stopAgent = resolve;
	});
	let signalled = false;
	const onSignal = () => {
		signalled = true;
		stopAgent('signal');
	};

	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	const timers: NodeJS.Timeout[] = [];
	try {
		await firstReady(connection, url, 30_000).catch((error: Error) => {
			throw new RunError(error.message);
		});
		const info: AgentInfo = {name, host: os.hostname(), cores: os.availableParallelism(), fileLimit: openFileLimit() ?? null, version, protocol: agentProtocolVersion, running: null};
		if (await connection.redis.exists(names.agent(name)) === 1) {
			throw new UsageError(`an agent named "${name}" is already registered for run "${run}" on ${redactRedisUrl(url)}: give each agent its own --name`);
		}

		let controllerSeenAt = Date.now();
		let readyCount = connection.readyCount;
		/** no judgement before this: Redis just came back, the controller may not have renewed its lease yet */
		let graceUntil = 0;
		let acked = 0;
		let refused: string | undefined;
		/** set while running: called when a completed check finds the controller gone, or Redis has been away too long */
		let onControllerLost: ((why: string) => void) | undefined;
		const refresh = async () => {
			const replies = await connection.redis.multi()
				.set(names.agent(name), JSON.stringify(info), 'PX', leaseMs)
				.get(names.controller)
				.hget(names.acks, name)
				.exec();
			const controller = replies?.[1]?.[1] as string | null | undefined;
			const ack = Number(replies?.[2]?.[1] ?? 0);
			const progressed = Number.isFinite(ack) && ack > acked;
			acked = Math.max(acked, Number.isFinite(ack) ? ack : 0);
			// Judged when a check completes, never from a timer: this process stalling (a connect
			// burst on a busy host) must not look like the controller going away. A check that
			// completes went through Redis, so a missing lease is the controller, not Redis; after a
			// reconnect (a restarted Redis lost every key) the controller gets time to renew it.
			const now = Date.now();
			if (connection.readyCount !== readyCount) {
				readyCount = connection.readyCount;
				graceUntil = now + reconnectGraceMs;
			}

			if (controller || progressed) {
				controllerSeenAt = now;
			} else if (onControllerLost && now - controllerSeenAt > controllerGraceMs && now > graceUntil) {
				onControllerLost('the controller is gone (its lease expired and Redis answers)');
			}

			if (controller) {
				const seen = JSON.parse(controller) as ControllerInfo;
				if (seen.version !== version || seen.protocol !== agentProtocolVersion) {
					refused = `the controller runs sse-tui ${seen.version}, this agent ${version}: run the same sse-tui version on the controller and every agent`;
					stopAgent('error');
				}
			}
		};

		await refresh();
		timers.push(setInterval(() => {
			refresh().catch(() => undefined);
			// Redis itself away: the checks wait in the offline queue and judge nothing.
			const downSince = connection.downSince;
			if (onControllerLost && downSince !== undefined && Date.now() - downSince > redisLostMs) {
				onControllerLost(`Redis has been unreachable for ${redisLostMs / 1000} s`);
			}
		}, agentCheckMs));
		log('info', `registered on ${redactRedisUrl(url)} for run "${run}" (${info.cores} cores, open-files limit ${info.fileLimit ?? 'unknown'}); waiting for a controller`);
		const plan = await waitForPlan(connection.redis, names.plan, name, stopped, waitMs);
		if (plan === undefined || refused !== undefined) {
			if (refused !== undefined) {
				throw new UsageError(refused);
			}

			if (!signalled) {
				throw new RunError(`no run came within ${given.wait}: is a controller running with --agents and --redis ${redactRedisUrl(url)} --run ${run}?`);
			}

			return 130;
		}

		if (plan.version !== version || plan.protocol !== agentProtocolVersion) {
			throw new UsageError(`the controller runs sse-tui ${plan.version}, this agent ${version}: run the same sse-tui version on the controller and every agent`);
		}

		info.running = plan.id;
		controllerSeenAt = Date.now();
		// The controller's lease lost for lostAfterMs: nobody reads these clients' numbers any more.
		const lost = new Promise<StopReason>(resolve => {
			onControllerLost = why => {
				onControllerLost = undefined;
				log('error', `${why}: stopping the clients`);
				resolve('error');
			};

			void stopped.then(resolve);
		});
		const share = plan.shares.find(entry => entry.name === name)!;
		const {summary, stoppedBy} = await runShare({plan, share, run, connection, commands, localAddresses, workers, log, acked: () => acked, lost});
		if (given.json) {
			process.stdout.write(JSON.stringify({agent: name, run, plan: plan.id, summary}) + '\n');
		}

		log('info', `done: ${summary.connections.successful} connections, ${summary.messages.total} messages, ${summary.errors.total} errors`);
		return stoppedBy === 'error' ? 1 : 0;
	} finally {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
		for (const timer of timers) {
			clearInterval(timer);
		}

		if (connection.up) {
			await connection.redis.del(names.agent(name)).catch(() => undefined);
		}

		connection.close();
		commands.close();
	}
}

/** Polls the plan key until a plan names this agent, the agent is stopped, or --wait passes. */
async function waitForPlan(redis: ReturnType<typeof connect>['redis'], key: string, name: string, stopped: Promise<StopReason>, waitMs: number | undefined): Promise<Plan | undefined> {
	let done = false;
	void stopped.then(() => {
		done = true;
	});
	const deadline = waitMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + waitMs;
	while (!done && Date.now() < deadline) {
		const text = await Promise.race([redis.get(key).catch(() => null), stopped.then(() => null)]);
		if (text) {
			const plan = JSON.parse(text) as Plan;
			if (plan.shares.some(share => share.name === name)) {
				return plan;
			}
		}

		await new Promise(resolve => {
			setTimeout(resolve, tickMs);
		});
	}

	return undefined;
}
