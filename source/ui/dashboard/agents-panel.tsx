import {Text} from 'ink';
import {agentCells, agentHeaderLine, agentStates, fitAgentColumns, type AgentRow} from '../../agents/table.js';

/** At most this many agents' rows, a sixth of the terminal's height (and 1 to 10): the client table keeps the rest. */
export function agentsCap(height: number): number {
	return Math.max(1, Math.min(10, Math.floor(height / 6)));
}

/**
 * The rows shown when there are more than `cap`: lost agents first (the ones to look at),
 * then the others, each group in the controller's order; the rest are counted.
 */
export function agentsShown(rows: readonly AgentRow[], cap: number): {shown: AgentRow[]; more: number} {
	if (rows.length <= cap) {
		return {shown: [...rows], more: 0};
	}

	const picked = new Set([...rows.filter(row => row.state === 'lost'), ...rows.filter(row => row.state !== 'lost')].slice(0, cap));
	return {shown: rows.filter(row => picked.has(row)), more: rows.length - cap};
}

/** Lines the panel takes: title, column titles, the rows, and the `+K more` line when capped. */
export function agentsPanelLines(count: number, height: number): number {
	const cap = agentsCap(height);
	return 2 + Math.min(count, cap) + (count > cap ? 1 : 0);
}

/**
 * --agents: one line per load agent (name, host, state, clients, open, msgs/s, errors, CPU,
 * RSS, lag), the cells of source/agents/table.ts that the summary, the report and --json
 * `agents.list` show too. Narrow terminals drop columns; long lists show `cap` rows and a count.
 */
export function AgentsPanel({rows, width, height, color}: {rows: readonly AgentRow[]; width: number; height: number; color: boolean}) {
	const {shown, more} = agentsShown(rows, agentsCap(height));
	const columns = fitAgentColumns(rows, width);
	const state = columns.findIndex(column => column.id === 'state');
	return (
		<>
			<Text bold wrap="truncate">{`${agentStates(rows)} · a hides`}</Text>
			<Text wrap="truncate" underline={color}>{agentHeaderLine(columns)}</Text>
			{shown.map(row => {
				const cells = agentCells(row, columns);
				if (row.state !== 'lost' || state < 0) {
					return <Text key={row.name} wrap="truncate">{cells.join(' ').trimEnd()}</Text>;
				}

				return (
					<Text key={row.name} wrap="truncate">
						{cells.slice(0, state).map(cell => `${cell} `).join('')}
						<Text color={color ? 'red' : undefined} bold>{cells[state]}</Text>
						{cells.slice(state + 1).map(cell => ` ${cell}`).join('').trimEnd()}
					</Text>
				);
			})}
			{more > 0 ? <Text wrap="truncate" dimColor={color}>{`+${more} more (lost agents first; --json and the summary list all)`}</Text> : null}
		</>
	);
}
