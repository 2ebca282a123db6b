import { useQuery } from 'urql';
import { SyncScheduleTimesDocument } from '../generated/graphql';
import { useDebounced } from '../ui/hooks';
import { fieldProblems } from './field-errors';

/** Typing pauses this long before the hub is asked. */
const askDelayMs = 300;

/**
 * The next five due times of a timing being typed, from the hub (`syncScheduleTimes`), so they are the
 * times a saved schedule fires at. `times` and `problems` describe what the fields hold now; while the
 * hub has not answered for that, `pending` is true and neither is given.
 */
export function useScheduleTimes(cron: string, timeZone: string) {
  const typed = { cron: cron.trim(), timeZone: timeZone.trim() };
  const asked = {
    cron: useDebounced(typed.cron, askDelayMs),
    timeZone: useDebounced(typed.timeZone, askDelayMs),
  };
  const [result] = useQuery({
    query: SyncScheduleTimesDocument,
    variables: asked,
    pause: asked.cron === '' || asked.timeZone === '',
  });
  const answered = result.operation?.variables;
  const current =
    !result.fetching &&
    asked.cron === typed.cron &&
    asked.timeZone === typed.timeZone &&
    answered?.cron === typed.cron &&
    answered.timeZone === typed.timeZone;
  const { problems, unplaced } = fieldProblems(current ? result.error : undefined);
  return {
    /** The zone the times are for. */
    timeZone: typed.timeZone,
    times: current ? result.data?.syncScheduleTimes : undefined,
    problems: { cron: problems.cron, timeZone: problems.timeZone },
    /** An error that is not about the timing (the hub unreachable). */
    error: current && unplaced ? result.error : undefined,
    pending: typed.cron !== '' && typed.timeZone !== '' && !current,
  };
}
