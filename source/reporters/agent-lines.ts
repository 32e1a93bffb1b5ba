import {agentHeaderLine, agentLine, agentStates, fitAgentColumns} from '../agents/table.js';
import type {Summary} from './summary.js';

/** The text summary's per-agent table with --agents (the dashboard's panel, every column, every agent). */
export function agentLines(s: Summary): string[] {
	const agents = s.agents;
	if (!agents) {
		return [];
	}

	const columns = fitAgentColumns(agents.list);
	return [
		`Agents:           ${agentStates(agents.list)} (run "${agents.run}" on ${agents.redis})`,
		`  ${agentHeaderLine(columns)}`,
		...agents.list.map(row => `  ${agentLine(row, columns)}`),
	];
}
