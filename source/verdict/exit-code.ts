import type {Summary} from '../reporters/summary.js';

/**
 * The process exit code a finished run earns: 1 when not a single client ever opened (nothing
 * was tested, whatever the thresholds say) or when any threshold failed; 0 otherwise.
 */
export function exitCodeFor(summary: Summary): 0 | 1 {
	return verdictLine(summary) === undefined ? 0 : 1;
}

/** Why the run exits 1, as one line for stderr; undefined when it exits 0. */
export function verdictLine(summary: Summary): string | undefined {
	if (summary.clients.connected === 0) {
		return `no client ever connected to ${summary.target.url} (${whyNone(summary)}); exit 1`;
	}

	// --target: a target nothing connected to was not compared, whatever the others did.
	const silent = Object.entries(summary.targets ?? {}).find(([, own]) => own.clients.connected === 0);
	if (silent) {
		return `no client ever connected to target ${silent[0]}, ${silent[1].target.url} (${whyNone(silent[1])}); exit 1`;
	}

	const failed = summary.thresholds.filter(result => !result.passed);
	if (failed.length > 0) {
		return `${failed.length} of ${summary.thresholds.length} thresholds failed (${failed.map(result => result.expr).join(', ')}); exit 1`;
	}

	return undefined;
}

function whyNone(summary: Summary): string {
	const kinds = Object.entries(summary.errors.byKind).filter(([, count]) => (count ?? 0) > 0);
	if (kinds.length > 0) {
		return `errors: ${kinds.map(([kind, count]) => `${kind} ${count}`).join(', ')}`;
	}

	if (summary.stoppedBy === 'finished') {
		return 'the server ended every client before it opened, e.g. with 204 No Content';
	}

	return `no answer before the run stopped (${summary.stoppedBy})`;
}
