import { useViewer } from '../session/viewer-context';
import { useDocumentTitle } from '../ui/hooks';
import { StartForm } from './start-form';

export function StartPage() {
  useDocumentTitle('Start a sync');
  const viewer = useViewer();
  return (
    <>
      <h1>Start a sync</h1>
      {viewer.canOperate ? (
        <StartForm />
      ) : (
        <p className="notice">
          Only operators can start a sync. You are signed in as a reader: you can follow runs, read the flows
          and look up customers.
        </p>
      )}
    </>
  );
}
