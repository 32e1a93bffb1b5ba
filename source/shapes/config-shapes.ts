import {isIP} from 'node:net';
import {UsageError} from '../errors.js';
import {parseDuration, parseInteger} from '../units.js';

/** One k6-style stage: move the client count linearly to `target` over `durationMs`. */
export type Stage = Readonly<{durationMs: number; target: number}>;

/** The load shape of a run: how clients come and go over time (source/shapes/). */
export type ShapeConfig = Readonly<{
	/** --connect-rate: connections opened per second; undefined: --ramp or the default interval */
	connectRate: number | undefined;
	/** --stages: target client counts over time; undefined: a fixed --clients */
	stages: readonly Stage[] | undefined;
	/** --churn-rate (churn scenario): connections closed and reopened per second */
	churnRate: number | undefined;
	/** --storm-at (storm scenario): when to drop every connection; undefined: watch for a server restart */
	stormAtMs: number | undefined;
	/** --local-address: source addresses, one per client in turn; [] lets the OS choose */
	localAddresses: readonly string[];
}>;

export type ShapeFlags = {
	connectRate?: string;
	stages?: string;
	churnRate?: string;
	stormAt?: string;
	localAddress?: string;
};

/** The most clients one stage may ask for: --clients' own limit. */
const maxTarget = 1_000_000;

/**
 * `50/s`, `50` (per second) or `600/m` -> connections per second. Fractions are allowed (`0.5/s`).
 */
export function parseRate(text: string, flag: string): number {
	const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|m))?\s*$/i.exec(text);
	const value = match ? Number(match[1]) / (match[2]?.toLowerCase() === 'm' ? 60 : 1) : Number.NaN;
	if (!(value > 0) || value > maxTarget) {
		throw new UsageError(`${flag} must be a rate like 100/s, 100 (per second) or 600/m, above 0 (got "${text}")`);
	}

	return value;
}

/** `30s:1000,1m:5000,30s:0` -> stages, as k6 writes them (duration:target). */
export function parseStages(text: string, flag = '--stages'): Stage[] {
	const parts = text.split(',').map(part => part.trim());
	return parts.map(part => {
		const colon = part.lastIndexOf(':');
		if (colon <= 0) {
			throw new UsageError(`${flag} takes duration:clients pairs, comma-separated, like 30s:1000,1m:5000,30s:0 (got "${part}")`);
		}

		return Object.freeze({
			durationMs: parseDuration(part.slice(0, colon), `${flag} (stage "${part}")`, {allowZero: true}),
			target: parseInteger(part.slice(colon + 1), `${flag} (stage "${part}") client count`, 0, maxTarget),
		});
	});
}

/** `127.0.0.2,127.0.0.3` -> the addresses, each a literal IPv4 or IPv6 address. */
export function parseLocalAddresses(text: string | undefined): string[] {
	if (text === undefined) {
		return [];
	}

	const addresses = text.split(',').map(address => address.trim()).filter(address => address !== '');
	if (addresses.length === 0) {
		throw new UsageError('--local-address needs one or more IP addresses, comma-separated, like 127.0.0.2,127.0.0.3');
	}

	for (const address of addresses) {
		if (isIP(address) === 0) {
			throw new UsageError(`--local-address takes IP addresses like 127.0.0.2 or ::1, comma-separated (got "${address}")`);
		}
	}

	return addresses;
}

export type ResolvedShape = {
	shape: ShapeConfig;
	/** clients to report as requested: --clients, or the highest stage target */
	clients: number | undefined;
	/** the run's length when --duration was not given: the stages' total */
	durationMs: number | undefined;
	/** the gap between client starts the connect rate asks for */
	startIntervalMs: number | undefined;
};

/**
 * The shape flags, checked against each other and the scenario. Mistakes name the fix, as every
 * UsageError does.
 */
export function resolveShape(flags: ShapeFlags & {ramp?: string; clients?: string; duration?: string}, scenario: string | undefined): ResolvedShape {
	if (flags.connectRate !== undefined && flags.ramp !== undefined) {
		throw new UsageError('--connect-rate and --ramp both set how clients start: give one of them');
	}

	const connectRate = flags.connectRate === undefined ? undefined : parseRate(flags.connectRate, '--connect-rate');
	const stages = flags.stages === undefined ? undefined : parseStages(flags.stages);
	if (stages !== undefined) {
		if (flags.clients !== undefined) {
			throw new UsageError('--stages sets the client count over time: leave out --clients');
		}

		if (scenario === 'hold' || scenario === 'churn' || scenario === 'storm') {
			throw new UsageError(`--stages cannot shape --scenario ${scenario}, which holds a fixed --clients: drop one of them`);
		}

		if (stages.every(stage => stage.target === 0)) {
			throw new UsageError('--stages needs at least one stage with clients above 0, like 30s:100,30s:0');
		}
	}

	if (flags.churnRate !== undefined && scenario !== 'churn') {
		throw new UsageError('--churn-rate applies to --scenario churn: add --scenario churn or drop --churn-rate');
	}

	if (flags.stormAt !== undefined && scenario !== 'storm') {
		throw new UsageError('--storm-at applies to --scenario storm: add --scenario storm or drop --storm-at');
	}

	const churnRate = scenario === 'churn' ? parseRate(flags.churnRate ?? '1/s', '--churn-rate') : undefined;
	const stormAtMs = flags.stormAt === undefined ? undefined : parseDuration(flags.stormAt, '--storm-at');
	return {
		shape: Object.freeze({connectRate, stages: stages && Object.freeze(stages), churnRate, stormAtMs, localAddresses: Object.freeze(parseLocalAddresses(flags.localAddress))}),
		clients: stages && Math.max(...stages.map(stage => stage.target)),
		durationMs: stages && flags.duration === undefined ? Math.max(1, stages.reduce((sum, stage) => sum + stage.durationMs, 0)) : undefined,
		// Stages add clients as the target line moves: without a connect rate, all of a step at once.
		startIntervalMs: connectRate === undefined ? (stages ? 0 : undefined) : 1000 / connectRate,
	};
}
