import type { ViolationStore } from '../store/store.js';
import type { AccessControl } from '../auth/access.js';

/** What the route plugins need, passed explicitly (no decorators). */
export interface RouteDeps {
  store: ViolationStore;
  access: AccessControl;
  now: () => number;
}
