import { TableScroll } from '../ui/table-scroll';
import { Value } from '../ui/values';
import { accountFields, type AccountDetail } from './account-fields';

interface Row {
  field: string;
  label: string;
  sales: string | null | undefined;
  finance: string | null | undefined;
  drifted: boolean;
}

/**
 * The account as each system holds it, field by field. A field the hub reports as drifted (its mapped
 * values differ now) is marked; a drifted field the list above does not show (a constant the flow asserts)
 * gets a row of its own, with the values as the drift report gives them.
 */
export function SideBySideTable({ account }: { account: AccountDetail }) {
  const drift = new Map(account.sync.drift.map((entry) => [entry.field, entry]));
  const rows: Row[] = accountFields.map(({ field, label, sales, finance }) => ({
    field,
    label,
    sales: sales(account),
    finance: finance(account),
    drifted: drift.has(field),
  }));
  const shown = new Set(rows.map((row) => row.field));
  for (const entry of account.sync.drift) {
    if (!shown.has(entry.field))
      rows.push({
        field: entry.field,
        label: entry.field,
        sales: entry.sales,
        finance: entry.finance,
        drifted: true,
      });
  }
  return (
    <TableScroll caption="Sales and Finance side by side" className="side-by-side">
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Sales</th>
          <th scope="col">Finance</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr
            key={row.field}
            data-drift={row.drifted ? 'true' : undefined}
            className={row.drifted ? 'drifted' : undefined}
          >
            <th scope="row">
              {row.label} {row.drifted && <span className="tag tag-drift">drifted</span>}
            </th>
            <td>
              {account.sales ? <Value value={row.sales} /> : <span className="muted">not in Sales</span>}
            </td>
            <td>
              {account.finance ? (
                <Value value={row.finance} />
              ) : (
                <span className="muted">not in Finance</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </TableScroll>
  );
}
