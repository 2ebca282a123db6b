import type { Flow } from './flow-section';

/** Child records written with each record (a quote's lines), and the rules every child must meet. */
export function ChildRecords({ records }: { records: NonNullable<Flow['children']> }) {
  return (
    <>
      <h3>Child records: {records.label}s</h3>
      <p>
        Each {records.label} is written with mapping <strong>{records.mapping}</strong>, together with its
        parent: <code>{records.parent.source}</code> holds the parent, whose key goes to{' '}
        <code>{records.parent.target}</code>. A record with one {records.label} that breaks a rule is skipped
        whole.
      </p>
      <ol>
        {records.eligibility.map((rule) => (
          <li key={rule.condition}>
            <code>{rule.condition}</code>, else skipped as “{rule.reason}”
          </li>
        ))}
      </ol>
    </>
  );
}
