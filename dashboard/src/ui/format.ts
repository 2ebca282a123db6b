/** How values read on the page: the browser's language for numbers and dates, the hub's enums in words. */
import type { SyncDirection, SyncFlowName } from '../generated/graphql';

const count = new Intl.NumberFormat();
const list = new Intl.ListFormat(undefined, { type: 'conjunction' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const shortDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });
// Read in UTC: the systems keep a calendar date (an invoice's) as its midnight UTC.
const calendarDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/**
 * How the page names each flow (its headings, labels and options). A record, so that a flow the schema
 * adds does not compile until it has a name here.
 */
const flowLabels: Readonly<Record<SyncFlowName, string>> = {
  ACCOUNTS: 'Accounts',
  CONTACTS: 'Contacts',
  PRODUCTS: 'Products',
  QUOTES: 'Quotes',
  ORDERS: 'Orders',
  ORDER_STATUS: 'Order status',
  INVOICES: 'Invoices',
};

/** `ORDER_STATUS` → `Order status`. */
export function flowLabel(flow: SyncFlowName): string {
  return flowLabels[flow];
}

/** An enum value in words: `COMPLETED_WITH_ERRORS` → `Completed with errors`. */
export function enumLabel(value: string): string {
  const words = value.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A Finance enum member name in words: `PartiallyInvoiced` → `Partially invoiced`. */
export function memberLabel(member: string): string {
  return enumLabel(member.replace(/(?<=[a-z])(?=[A-Z])/g, '_'));
}

/** `SALES_TO_FINANCE` → `Sales → Finance`. */
export function directionLabel(direction: SyncDirection): string {
  return direction.split('_TO_').map(enumLabel).join(' → ');
}

/** `['Accounts', 'Contacts']` → `Accounts and Contacts`. */
export function formatList(items: string[]): string {
  return list.format(items);
}

export function formatCount(value: number): string {
  return count.format(value);
}

/** `short`: to the minute, as narrow as the language writes it, for table cells. */
export function formatDateTime(iso: string, { short = false } = {}): string {
  return (short ? shortDateTime : dateTime).format(new Date(iso));
}

/** A calendar date kept as its midnight UTC (`2025-11-03T00:00:00Z`), the same day in every time zone. */
export function formatDate(iso: string): string {
  return calendarDate.format(new Date(iso));
}

/** Records per second: whole numbers from 10 up, one decimal below. */
export function formatRate(perSecond: number): string {
  return perSecond >= 10 ? count.format(Math.round(perSecond)) : perSecond.toFixed(1);
}

/** A span of time as people say it: `0.4 s`, `12 s`, `3 min 5 s`, `2 h 10 min`. */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${whole % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** How long ago, to the second, as people say it: `0 s ago`, `42 s ago`, `3 min 5 s ago`, `2 h 10 min ago`. */
export function formatAge(ms: number): string {
  const whole = Math.max(0, Math.floor(ms / 1000));
  if (whole < 60) return `${whole} s ago`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${whole % 60} s ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min ago`;
  return `${Math.floor(hours / 24)} days ago`;
}
