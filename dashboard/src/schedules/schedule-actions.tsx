import { useState } from 'react';
import { useMutation } from 'urql';
import {
  PauseSyncScheduleDocument,
  ResumeSyncScheduleDocument,
  type ScheduleSummaryFragment,
} from '../generated/graphql';
import { paths } from '../routing/paths';
import { Link } from '../routing/router';
import { ErrorAlert } from '../ui/error-alert';
import { DeleteScheduleDialog } from './delete-dialog';

/**
 * What an operator can do with a schedule from the list: edit it, pause or resume it, delete it once
 * they said yes. `onChanged` asks for the list again.
 */
export function ScheduleActions({
  schedule,
  onChanged,
}: {
  schedule: ScheduleSummaryFragment;
  onChanged: () => void;
}) {
  const [pausing, pause] = useMutation(PauseSyncScheduleDocument);
  const [resuming, resume] = useMutation(ResumeSyncScheduleDocument);
  const [confirming, setConfirming] = useState(false);
  const { id, name, enabled } = schedule;
  const toggle = async () => {
    const result = enabled ? await pause({ id }) : await resume({ id });
    if (!result.error) onChanged();
  };
  const error = enabled ? pausing.error : resuming.error;
  return (
    <div className="row-actions">
      <Link to={paths.schedule(id)} className="button-link secondary" aria-label={`Edit ${name}`}>
        Edit
      </Link>
      <button
        type="button"
        className="secondary"
        aria-label={`${enabled ? 'Pause' : 'Resume'} ${name}`}
        disabled={pausing.fetching || resuming.fetching}
        onClick={() => void toggle()}
      >
        {enabled ? 'Pause' : 'Resume'}
      </button>
      <button
        type="button"
        className="danger"
        aria-label={`Delete ${name}`}
        onClick={() => setConfirming(true)}
      >
        Delete
      </button>
      {error && <ErrorAlert error={error} />}
      {confirming && (
        <DeleteScheduleDialog
          schedule={schedule}
          onClose={() => setConfirming(false)}
          onDeleted={onChanged}
        />
      )}
    </div>
  );
}
