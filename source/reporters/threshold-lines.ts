import {formatMeasured} from '../verdict/threshold-eval.js';
import type {Summary} from './summary.js';

/**
 * The thresholds table of the text summary and its verdict line; nothing without thresholds.
 * A metric that measured nothing says so: it fails, and "no data" is why.
 */
export function thresholdLines({thresholds: results, clients}: Pick<Summary, 'thresholds' | 'clients'>): string[] {
	if (results.length === 0) {
		return [];
	}

	const width = Math.max(...results.map(result => result.expr.length));
	const failed = results.filter(result => !result.passed);
	return [
		'Thresholds:',
		...results.map(result => `  ${result.passed ? 'PASS' : 'FAIL'}  ${result.expr.padEnd(width)}  ${formatMeasured(result.metric, result.value)}`),
		failed.length > 0
			? `Verdict:          FAIL (${failed.length} of ${results.length} thresholds failed: ${failed.map(result => result.expr).join(', ')})`
			: (clients.connected === 0
				? `Verdict:          FAIL (every threshold passed, but no client ever connected)`
				: `Verdict:          PASS (${results.length} of ${results.length} thresholds passed)`),
	];
}
