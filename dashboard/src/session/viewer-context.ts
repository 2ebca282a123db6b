import { createContext, use } from 'react';
import type { ViewerQuery } from '../generated/graphql';

export type Viewer = ViewerQuery['viewer'];

/** The signed-in caller; null while the hub has not said who it is (the sign-in form). */
export const ViewerContext = createContext<Viewer | null>(null);

/** The caller, on pages shown only once the hub has said who it is. */
export function useViewer(): Viewer {
  const viewer = use(ViewerContext);
  if (viewer === null) throw new Error('useViewer() is used before the hub said who the caller is');
  return viewer;
}
