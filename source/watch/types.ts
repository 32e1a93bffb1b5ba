/** What the server's side (--watch-redis, --watch-stats) samples and reports: plain data, imported by the store and the reporters. */

export type RedisSample = {
	/** ms since the run started */
	t: number;
	reachable: boolean;
	error?: string;
	/** PUBSUB NUMSUB of each watched channel */
	subscribers: Record<string, number>;
	/** PUBSUB NUMPAT */
	patterns: number;
	connectedClients: number;
	opsPerSec: number;
	usedMemoryBytes: number;
	/** connections `sse-tui serve --redis` opened, by name (CLIENT SETNAME), when it runs against this Redis */
	serveConnections: number;
};

export type StatsSample = {
	/** ms since the run started */
	t: number;
	reachable: boolean;
	/** why not, when unreachable */
	error?: string;
	values: Record<string, number | null>;
};

/** A difference between what the clients see and what the server side counts, while it lasted. */
export type Disagreement = {
	what: string;
	/** the clients' number and the server side's, when last seen */
	clients: number;
	server: number;
	/** ms since the run started: first and last sample that showed it */
	firstAt: number;
	lastAt: number;
	/** samples that showed it */
	samples: number;
	/** the largest |server - clients| seen */
	worst: number;
};

export type ServerSummary = {
	redis: {url: string; channels: string[]; last: RedisSample | null; samples: RedisSample[]} | null;
	stats: {url: string; fields: string[]; last: StatsSample | null; samples: StatsSample[]} | null;
	disagreements: Disagreement[];
};

/** What the dashboard shows: the last samples and the differences standing now. */
export type ServerViewNow = {
	redis: {url: string; channels: string[]; last: RedisSample | null} | null;
	stats: {url: string; fields: string[]; last: StatsSample | null} | null;
	/** one line each, for the differences seen in the last two samples */
	disagreements: string[];
};
