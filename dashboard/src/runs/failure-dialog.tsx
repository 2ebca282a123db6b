import { useEffect, useRef } from 'react';
import { flowLabel } from '../ui/format';
import { Time, Value } from '../ui/values';
import type { Failure } from './failures-section';

/**
 * One failure in full, in a modal dialog: the browser's own `<dialog>`, which keeps focus inside, closes
 * on Escape and gives focus back to the button that opened it.
 */
export function FailureDialog({ failure, onClose }: { failure: Failure; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    // Opened once mounted; React's development double run finds it open already.
    if (dialog.current?.open === false) dialog.current.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="dialog" aria-label={`Failure ${failure.key}`} onClose={onClose}>
      <h2>Failure {failure.key}</h2>
      <dl className="facts">
        <div>
          <dt>Flow</dt>
          <dd>{flowLabel(failure.flow)}</dd>
        </div>
        <div>
          <dt>Record key</dt>
          <dd>{failure.key}</dd>
        </div>
        <div>
          <dt>Code</dt>
          <dd>
            <Value value={failure.code} />
          </dd>
        </div>
        <div>
          <dt>Attempt</dt>
          <dd>{failure.attempt}</dd>
        </div>
        <div>
          <dt>Failed at</dt>
          <dd>
            <Time iso={failure.at} />
          </dd>
        </div>
      </dl>
      <h3>Message</h3>
      <p className="full-message">{failure.message}</p>
      <button type="button" autoFocus onClick={() => dialog.current?.close()}>
        Close
      </button>
    </dialog>
  );
}
