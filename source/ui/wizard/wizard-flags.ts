import type {RunFlags} from '../../config.js';
import {broadcastFlags, shapeDefaults, type Answers} from './wizard-steps.js';

/** The answers as the flags `sse-tui` would parse from argv for the same run. */
export function flagsFrom(answers: Answers): RunFlags {
	const flags: RunFlags = {protocol: answers.protocol, logLevel: answers.logLevel};
	if (answers.scenario === 'demo') {
		// `sse-tui demo --protocol P --log-level L`: the demo picks its own target, clients and scenario.
		return flags;
	}

	if (answers.scenario !== 'exit') {
		flags.scenario = answers.scenario;
	}

	if (answers.scenario === 'custom') {
		flags.url = answers.url;
		flags.clients = String(answers.clients);
		flags.stats = answers.stats;
	} else {
		flags.port = String(answers.port);
		if (answers.scenario !== 'single') {
			flags.clients = String(answers.clients);
		}

		if (answers.scenario === 'hold') {
			flags.connectRate = answers.connectRate || shapeDefaults.connectRate;
		}

		if (answers.scenario === 'churn') {
			flags.churnRate = answers.churnRate || shapeDefaults.churnRate;
		}

		if (answers.scenario === 'storm' && answers.stormAt !== '') {
			flags.stormAt = answers.stormAt;
		}

		if (answers.scenario === 'broadcast') {
			Object.assign(flags, broadcastFlags(answers.publish, answers.port), {count: String(answers.count)});
		}
	}

	if (answers.duration !== '') {
		flags.duration = answers.duration;
	}

	return flags;
}
