/** `viewer`: the caller as the transport authenticated them, so a page can show only what they may do. */
import type { QueryResolvers } from '../../generated/resolvers-types.js';
import { hasRole } from '../principal.js';

export const viewerQueries: Pick<QueryResolvers, 'viewer'> = {
  viewer: (_root, _args, { principal }) => ({
    name: principal.name,
    role: principal.role === 'operator' ? 'OPERATOR' : 'READER',
    canOperate: hasRole(principal, 'operator'),
    authenticated: principal.via !== 'none',
  }),
};
