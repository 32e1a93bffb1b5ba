/** Calls `connect` `count` times, 250 per event-loop turn, so a big ramp never starves I/O. */
export function inBursts(count: number, connect: () => void): void {
	let started = 0;
	const burst = () => {
		for (let index = 0; index < 250 && started < count; index++, started++) {
			connect();
		}

		if (started < count) {
			setTimeout(burst, 0);
		}
	};

	burst();
}
