import { paths } from '../routing/paths';
import { Link } from '../routing/router';

/** What a reader sees where an operator would change a schedule. */
export function OperatorsOnly() {
  return (
    <p className="notice">
      Only operators can create and change schedules. You are signed in as a reader: the{' '}
      <Link to={paths.schedules}>list of schedules</Link> shows them all.
    </p>
  );
}
