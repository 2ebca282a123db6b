/**
 * The environment that points a hub (or several) at running simulators, as `npm run simulators` prints
 * it. Each simulator is its own token authority and knows only the tokens it issued, so each system gets
 * its own `<SYSTEM>_AUTHORITY_URL`: one AUTHORITY_URL for both would have Finance refuse Sales' tokens.
 */
import type { ClientCredentials } from './core/tokens.js';

export interface SimulatorOrigins {
  /** The Sales simulator's origin, e.g. `http://127.0.0.1:5101`. */
  sales: string;
  /** The Finance simulator's origin, e.g. `http://127.0.0.1:5102`. */
  finance: string;
}

/** The simulators issue tokens for any tenant; this name only shows up in their token URLs. */
export const simulatorTenant = 'simulator';

/** The seeded legal entity whose customers mirror the Sales accounts. */
export const simulatorCompany = 'usmf';

/** The variables, in the order they are printed: for each system its URL, authority and credentials. */
export function hubEnvironment(
  origins: SimulatorOrigins,
  client: ClientCredentials & { clientSecret: string },
): Record<string, string> {
  const system = (prefix: 'SALES' | 'FINANCE', origin: string) => ({
    [`${prefix}_URL`]: origin,
    [`${prefix}_AUTHORITY_URL`]: origin,
    [`${prefix}_TENANT_ID`]: simulatorTenant,
    [`${prefix}_CLIENT_ID`]: client.clientId,
    [`${prefix}_CLIENT_SECRET`]: client.clientSecret,
  });
  return {
    ...system('SALES', origins.sales),
    ...system('FINANCE', origins.finance),
    FINANCE_COMPANY: simulatorCompany,
  };
}

/** `export NAME=value` lines a POSIX shell takes as they are; a value with other characters is quoted. */
export function exportLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([name, value]) => `export ${name}=${shellWord(value)}`);
}

function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:@%+,=-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
