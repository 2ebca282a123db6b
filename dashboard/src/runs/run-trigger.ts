import type { RunSummaryFragment } from '../generated/graphql';

/**
 * What started a run, in words: its schedule by name, continuous sync, a Sales webhook, or the person
 * who asked (null for a person the hub could not name: it runs without authentication).
 */
export function runTrigger({ trigger, requestedBy }: Pick<RunSummaryFragment, 'trigger' | 'requestedBy'>) {
  switch (trigger.kind) {
    case 'SCHEDULE':
      return trigger.name === null ? 'A schedule' : `Schedule “${trigger.name}”`;
    case 'CONTINUOUS':
      return 'Continuous sync';
    case 'WEBHOOK':
      return 'A Sales webhook';
    case 'PERSON':
      return requestedBy;
  }
}
