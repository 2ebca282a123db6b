/**
 * The checks before a run is created, each problem a sentence, all of them at once: the way the Data
 * Integrator validates a project before it runs, so an admin fixes everything in one go.
 */
import { syncModes } from '../../db/schema.js';
import { ODataError, TokenError } from '../../connectors/odata/index.js';
import { type StartRunInput, SyncRequestError } from './types.js';
import { flowOrder, flows, validateFlows, type FlowName } from '../flows/index.js';
import { systemLabels, type SystemName } from '../../vocabulary.js';

export interface StartChecks {
  /** The legal entities of Finance (the connector's `companies()`). */
  financeCompanies: () => Promise<string[]>;
  /** The legal entity (dataAreaId) the flows read and write. */
  company: string;
  /**
   * Problems with the products flow's settings in the target (the configured default price list does
   * not exist in Sales), checked when the run includes products; absent: nothing to check.
   */
  productProblems?: () => Promise<string[]>;
}

/** Every problem with starting `input`; empty when the run may start. */
export async function startProblems(input: StartRunInput, checks: StartChecks): Promise<string[]> {
  const problems: string[] = [];
  problems.push(...(await companyProblems(checks)));
  problems.push(...validateFlows(flows));
  const request = requestProblems(input);
  problems.push(...request);
  if (checks.productProblems && request.length === 0 && requestedFlows(input).includes('products')) {
    problems.push(...(await productProblems(checks.productProblems)));
  }
  return problems;
}

async function productProblems(check: () => Promise<string[]>): Promise<string[]> {
  try {
    return await check();
  } catch (error) {
    throw unavailable('sales', 'the Sales price lists could not be read to check PRODUCTS_PRICE_LIST', error);
  }
}

async function companyProblems({ financeCompanies, company }: StartChecks): Promise<string[]> {
  let companies: string[];
  try {
    companies = await financeCompanies();
  } catch (error) {
    throw unavailable('finance', `the Finance legal entities could not be read to check ${company}`, error);
  }
  // F&O compares dataAreaId without case; the connector lowercases what it lists.
  const wanted = company.toLowerCase();
  if (companies.some((id) => id.toLowerCase() === wanted)) return [];
  return [
    `company ${company} does not exist in Finance (it has ${companies.length > 0 ? companies.join(', ') : 'none'})`,
  ];
}

function requestProblems(input: StartRunInput): string[] {
  const problems: string[] = [];
  // The input is typed, but it may come from a client through a looser layer: check what arrives.
  if (!(syncModes as readonly string[]).includes(input.mode)) {
    problems.push(`mode ${String(input.mode)} is not one of ${syncModes.join(', ')}`);
  }
  if (input.flows === undefined) return problems;
  if (input.flows.length === 0) problems.push('no flows requested; leave flows out to run all of them');
  const seen = new Set<string>();
  const reported = new Set<string>();
  for (const name of input.flows) {
    if (reported.has(name)) continue; // one sentence per bad name, however often it repeats
    if (!(flowOrder as readonly string[]).includes(name)) {
      problems.push(`flow ${String(name)} is unknown; the flows are ${flowOrder.join(', ')}`);
      reported.add(name);
    } else if (seen.has(name)) {
      problems.push(`flow ${name} is requested more than once`);
      reported.add(name);
    }
    seen.add(name);
  }
  return problems;
}

/** The flows a valid input runs, in dependency order. */
export function requestedFlows(input: StartRunInput): FlowName[] {
  return input.flows ? [...new Set(input.flows)] : [...flowOrder];
}

/**
 * A system the checks must ask did not answer: the start is refused as UPSTREAM_UNAVAILABLE, naming the
 * system and what failed in a sentence without the request's query or the system's message. Anything
 * that is not a system's failure is a bug and is thrown as it is.
 */
function unavailable(system: SystemName, what: string, error: unknown): unknown {
  const reason =
    error instanceof ODataError
      ? error.summary()
      : error instanceof TokenError
        ? `${systemLabels[system]}'s token authority did not issue a token (${error.code}).`
        : undefined;
  if (reason === undefined) return error;
  return new SyncRequestError(
    'UPSTREAM_UNAVAILABLE',
    `The sync cannot start: ${what}. ${reason} Try again once ${systemLabels[system]} answers.`,
    [],
    undefined,
    system,
  );
}
