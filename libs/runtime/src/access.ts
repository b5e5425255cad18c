import { SetMetadata } from '@nestjs/common';

/** Route metadata read by the API's key guard: the scope a route needs ("read" when unset). */
export const ACCESS_SCOPE_KEY = 'diplowatch:scope';
export type AccessScope = 'public' | 'read' | 'write' | 'admin';
export const RequireScope = (scope: AccessScope) => SetMetadata(ACCESS_SCOPE_KEY, scope);
/** Reachable without credentials (health probes). */
export const Public = () => RequireScope('public');
