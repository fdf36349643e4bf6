/**
 * An application lifecycle record as `GET /api/lifecycles/applications/{name}/versions[/{version}]` serialises it:
 * the original's LifecylceDTO with snake_case keys. Types only: importing this module costs nothing at run time.
 */
export interface Lifecycle {
  application: string | null;
  version: string | null;
  /** The instance's launch time for RunInstances, else the CloudTrail event time; ISO-8601 UTC. */
  event_date: string | null;
  image_id: string | null;
  image_name: string | null;
  region: string | null;
  instance_boot_time: string | null;
  /** RunInstances, StartInstances, StopInstances or TerminateInstances. */
  event_type: string | null;
  instance_id: string | null;
  created: string | null;
}
