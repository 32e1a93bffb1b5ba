import {agentColumns, agentStates} from '../../agents/table.js';
import type {Summary} from '../summary.js';
import {escapeHtml} from './escape.js';
import {metric} from './mark.js';

/**
 * --agents: the controller's per-agent table, the cells the dashboard and the text summary show
 * (source/agents/table.ts); numbers tagged with their place in --json `agents.list`.
 */
export function agentsSection(summary: Summary): string {
	const agents = summary.agents;
	if (!agents) {
		return '';
	}

	const head = agentColumns.map(column => `<th scope="col"${column.align === 'right' ? ' class="n"' : ''}>${escapeHtml(column.title)}</th>`).join('');
	const body = agents.list.map((row, index) => {
		const cells = agentColumns.map(column => {
			const value = row[column.field];
			const text = column.cell(row);
			const shown = typeof value === 'string' ? escapeHtml(text) : metric(`agents.list.${index}.${column.field}`, value, text);
			return `<td${column.align === 'right' ? ' class="n"' : ''}>${column.id === 'state' && row.state === 'lost' ? `<span class="badge badge-fail">${shown}</span>` : shown}</td>`;
		}).join('');
		return `<tr data-agent="${escapeHtml(row.name)}"${row.state === 'lost' ? ' class="fail"' : ''}>${cells}</tr>`;
	}).join('');
	return `<section class="card" id="agents"><h2>Agents</h2>
<p class="table-note">${escapeHtml(agentStates(agents.list))}, run "${escapeHtml(agents.run)}" on ${escapeHtml(agents.redis)}. The totals above merge every agent's; a lost agent's clients count as failed.</p>
<table class="grid-table"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></section>`;
}
