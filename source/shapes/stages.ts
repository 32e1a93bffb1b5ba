import type {Stage} from './config-shapes.js';

export type StagePosition = {
	/** 0-based index of the stage running at `elapsedMs`; stages.length once every stage is over */
	index: number;
	/** the client count the line asks for now (whole clients) */
	target: number;
};

/**
 * Where the k6-style stage line is at `elapsedMs`: it starts at 0 clients and moves linearly to
 * each stage's target over that stage's duration; after the last stage it stays at its target.
 */
export function stageAt(stages: readonly Stage[], elapsedMs: number): StagePosition {
	let from = 0;
	let start = 0;
	for (const [index, stage] of stages.entries()) {
		const end = start + stage.durationMs;
		if (elapsedMs < end) {
			const progress = stage.durationMs === 0 ? 1 : (elapsedMs - Math.max(0, start)) / stage.durationMs;
			return {index, target: Math.round(from + ((stage.target - from) * Math.max(0, progress)))};
		}

		from = stage.target;
		start = end;
	}

	return {index: stages.length, target: from};
}
