/**
 * The page's only script: renders the per-client rows from their embedded JSON and sorts them
 * when a column header is clicked (numbers: largest first on the first click; text: A-Z; nothing
 * measured always last; ties by client id). Written as plain ES2020 for any current browser;
 * it writes only text (textContent), never markup.
 */
export const tableScript = `(() => {
	const source = document.getElementById('clients-data');
	const table = document.getElementById('clients');
	if (!source || !table) return;
	const data = JSON.parse(source.textContent);
	const headers = Array.from(table.tHead.rows[0].cells);
	const body = table.tBodies[0];
	const numbers = new Intl.NumberFormat('en-US', {maximumFractionDigits: 2});
	let sortIndex = 0;
	let ascending = true;
	const compare = (a, b, type) => type === 'number' ? a - b : String(a).localeCompare(String(b), 'en', {numeric: true});
	function cell(value, column) {
		const td = document.createElement('td');
		if (value === null) {
			td.textContent = '\\u2013';
			td.className = 'none';
		} else if (column.type === 'number') {
			td.textContent = column.key === 'id' ? String(value) : numbers.format(value);
		} else {
			td.textContent = String(value);
			td.title = String(value);
		}
		if (column.type === 'number') td.classList.add('n');
		if (column.key === 'state') td.className = 'state state-' + value;
		if (column.key === 'lastError') td.classList.add('error-text');
		return td;
	}
	function render() {
		const column = data.columns[sortIndex];
		const rows = data.rows.slice().sort((a, b) => {
			const x = a[sortIndex];
			const y = b[sortIndex];
			if (x === y) return a[0] - b[0];
			if (x === null) return 1;
			if (y === null) return -1;
			return (ascending ? 1 : -1) * compare(x, y, column.type) || a[0] - b[0];
		});
		const fragment = document.createDocumentFragment();
		for (const row of rows) {
			const tr = document.createElement('tr');
			tr.dataset.id = String(row[0]);
			row.forEach((value, index) => tr.append(cell(value, data.columns[index])));
			fragment.append(tr);
		}
		body.replaceChildren(fragment);
		headers.forEach((th, index) => th.setAttribute('aria-sort', index === sortIndex ? (ascending ? 'ascending' : 'descending') : 'none'));
		table.dataset.sortKey = column.key;
		table.dataset.sortDirection = ascending ? 'ascending' : 'descending';
	}
	headers.forEach((th, index) => {
		th.querySelector('button').addEventListener('click', () => {
			if (index === sortIndex) {
				ascending = !ascending;
			} else {
				sortIndex = index;
				ascending = data.columns[index].type === 'text';
			}
			render();
		});
	});
	render();
})();`;
