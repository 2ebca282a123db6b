/** Where each page is, as routes (see router.tsx); parameters are escaped here, once. */
export const paths = {
  runs: '/',
  run: (id: string) => `/runs/${encodeURIComponent(id)}`,
  start: '/start',
  schedules: '/schedules',
  newSchedule: '/schedules/new',
  schedule: (id: string) => `/schedules/${encodeURIComponent(id)}`,
  flows: '/flows',
  alerts: '/alerts',
  customers: (search = '') => (search === '' ? '/customers' : `/customers?q=${encodeURIComponent(search)}`),
  account: (accountNumber: string) => `/customers/${encodeURIComponent(accountNumber)}`,
};
