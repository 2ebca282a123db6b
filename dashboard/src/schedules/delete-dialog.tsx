import { useEffect, useRef } from 'react';
import { useMutation } from 'urql';
import { DeleteSyncScheduleDocument } from '../generated/graphql';
import { ErrorAlert } from '../ui/error-alert';

/**
 * Asks before a schedule is deleted, in the browser's modal `<dialog>` (focus kept inside, Escape says
 * no). "No" has the focus, so Enter alone deletes nothing.
 */
export function DeleteScheduleDialog({
  schedule,
  onClose,
  onDeleted,
}: {
  schedule: { id: string; name: string };
  onClose: () => void;
  onDeleted: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [deleting, deleteSchedule] = useMutation(DeleteSyncScheduleDocument);
  useEffect(() => {
    // Opened once mounted; React's development double run finds it open already.
    if (dialog.current?.open === false) dialog.current.showModal();
  }, []);
  const confirm = async () => {
    const result = await deleteSchedule({ id: schedule.id });
    if (result.error) return;
    dialog.current?.close();
    onDeleted();
  };
  return (
    <dialog ref={dialog} className="dialog" aria-label={`Delete schedule ${schedule.name}`} onClose={onClose}>
      <h2>Delete the schedule “{schedule.name}”?</h2>
      <p>It fires no more, and its firing history goes with it. The runs it started stay.</p>
      {deleting.error && <ErrorAlert error={deleting.error} />}
      <div className="actions">
        <button type="button" className="danger" disabled={deleting.fetching} onClick={() => void confirm()}>
          Yes, delete it
        </button>
        <button type="button" className="secondary" autoFocus onClick={() => dialog.current?.close()}>
          No, keep it
        </button>
      </div>
    </dialog>
  );
}
