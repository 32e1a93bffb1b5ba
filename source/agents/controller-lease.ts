import {startControllerBeat} from './controller-beat.js';
import type {AgentMember} from './agent-group.js';
import {controllerLeaseMs, keys, keyTtlMs, lostAfterMs, refreshMs, type ControllerInfo, type Plan} from './protocol.js';
import {connect, type Connection} from './redis.js';

/**
 * The controller's leases: its own (renewed twice a second by the heartbeat thread, and once a
 * second here as a fallback, with the plan beside it), and its agents' (an agent whose lease is
 * gone and that sent nothing for lostAfterMs is lost). A restarted Redis lost every key: the
 * lease and the plan go back at once, and nobody is lost for the time Redis was away.
 */
export function keepLeases({url, names, lease, plan, members, log, lose}: {
	url: string;
	names: ReturnType<typeof keys>;
	/** changed in place; leaseChanged() sends it on */
	lease: ControllerInfo;
	plan(): Plan | undefined;
	members: ReadonlyMap<string, AgentMember>;
	log(level: 'warn', text: string): void;
	lose(member: AgentMember, why: string): void;
}): {connection: Connection; refresh(): Promise<void>; leaseChanged(): void; stop(): Promise<void>} {
	let readyCount = 0;
	const connection = connect(url, text => {
		log('warn', text);
	}, {onReady() {
		void refresh().catch(() => undefined);
	}});
	async function refresh(): Promise<void> {
		const current = plan();
		const multi = connection.redis.multi().set(names.controller, JSON.stringify(lease), 'PX', controllerLeaseMs);
		if (current) {
			multi.set(names.plan, JSON.stringify(current), 'PX', keyTtlMs);
		}

		const participants = [...members.keys()];
		for (const name of participants) {
			multi.exists(names.agent(name));
		}

		const replies = await multi.exec();
		const now = Date.now();
		if (connection.readyCount !== readyCount) {
			readyCount = connection.readyCount;
			for (const member of members.values()) {
				member.seenAt = now;
			}
		}

		for (const [index, name] of participants.entries()) {
			const member = members.get(name)!;
			if (replies?.[index + (current ? 2 : 1)]?.[1] === 1) {
				member.seenAt = now;
			} else if (!member.done && now - member.seenAt > lostAfterMs) {
				lose(member, `has neither renewed its lease nor sent metrics for ${lostAfterMs / 1000} s`);
			}
		}
	}

	const timer = setInterval(() => {
		if (connection.up) {
			refresh().catch(() => undefined);
		}
	}, refreshMs);
	const beat = startControllerBeat({url, key: names.controller, value: JSON.stringify(lease)}, text => {
		log('warn', text);
	});
	return {
		connection,
		refresh,
		leaseChanged() {
			beat.update(JSON.stringify(lease));
			void refresh().catch(() => undefined);
		},
		async stop() {
			clearInterval(timer);
			await beat.stop();
		},
	};
}
