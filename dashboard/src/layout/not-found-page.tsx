import { paths } from '../routing/paths';
import { Link } from '../routing/router';
import { useDocumentTitle } from '../ui/hooks';

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>
        The dashboard has no page here. Go to the <Link to={paths.runs}>sync runs</Link>.
      </p>
    </>
  );
}
