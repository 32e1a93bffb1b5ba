/** 90000 -> "1m 30s", 4000 -> "4s", 1500 -> "1.5s" */
export function formatDuration(ms: number): string {
	if (ms < 60_000) {
		return `${Number((ms / 1000).toFixed(1))}s`;
	}

	const minutes = Math.floor(ms / 60_000);
	const seconds = Math.round((ms % 60_000) / 1000);
	return seconds === 0 ? `${minutes}m` : `${minutes}m ${seconds}s`;
}
