import { Fragment } from 'react';
import { formatDate, formatDateTime } from './format';

/** An instant, readable, with the machine-readable value kept in the element; `short` in full on hover. */
export function Time({ iso, short = false }: { iso: string; short?: boolean }) {
  return (
    <time dateTime={iso} title={short ? formatDateTime(iso) : undefined}>
      {formatDateTime(iso, { short })}
    </time>
  );
}

/** A calendar date (an invoice's), kept as its midnight UTC: the same day wherever the page is read. */
export function CalendarDate({ iso }: { iso: string }) {
  return <time dateTime={iso.slice(0, 10)}>{formatDate(iso)}</time>;
}

/** A value, or a dash when there is none. */
export function Value({ value }: { value: string | number | null | undefined }) {
  if (value === null || value === undefined || value === '') return <span className="blank">—</span>;
  return <>{value}</>;
}

/**
 * A status as the hub names it (`RUNNING`, `DRIFTED`…), colored by what it means. A long one may wrap
 * after an underscore in a narrow column; its text stays the same.
 */
export function StatusText({ status }: { status: string }) {
  const parts = status.split('_');
  return (
    <span className={`status status-${status.toLowerCase().replaceAll('_', '-')}`}>
      {parts.map((part, index) => (
        <Fragment key={index}>
          {index > 0 && <wbr />}
          {index < parts.length - 1 ? `${part}_` : part}
        </Fragment>
      ))}
    </span>
  );
}
