import type {Summary, ThresholdResult} from '../reporters/summary.js';
import {canStillPass, evaluate} from './threshold-eval.js';
import type {Threshold} from './threshold-parse.js';

export type ThresholdWatchOptions = {
	thresholds: readonly Threshold[];
	/** a summary of the run so far (built from a fresh snapshot) */
	summarize: () => Summary;
	/** how often to evaluate; once a second is plenty for a verdict and costs one snapshot */
	intervalMs?: number;
	/** --abort-on-fail: called once, for the first threshold that can no longer pass */
	onCannotPass?: (threshold: Threshold, result: ThresholdResult) => void;
};

export type ThresholdWatch = {
	/** the results of the last evaluation (the dashboard shows them) */
	latest(): readonly ThresholdResult[];
	/** evaluate now; the timer calls this */
	check(): void;
	stop(): void;
};

/** Evaluates the thresholds during the run, on a timer, for the live view and --abort-on-fail. */
export function watchThresholds({thresholds, summarize, intervalMs = 1000, onCannotPass}: ThresholdWatchOptions): ThresholdWatch {
	let latest: readonly ThresholdResult[] = [];
	let gaveUp = false;
	const check = () => {
		latest = evaluate(thresholds, summarize());
		if (onCannotPass === undefined || gaveUp) {
			return;
		}

		const index = latest.findIndex((result, at) => !canStillPass(thresholds[at]!, result.value));
		if (index >= 0) {
			gaveUp = true;
			onCannotPass(thresholds[index]!, latest[index]!);
		}
	};

	// The first look only fills latest(): giving up is left to the timer, after the run has started.
	latest = evaluate(thresholds, summarize());
	const timer = setInterval(check, intervalMs);
	return {
		latest: () => latest,
		check,
		stop() {
			clearInterval(timer);
		},
	};
}
