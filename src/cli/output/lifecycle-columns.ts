/** The columns of `fullstop lifecycle`: the lifecycle record's fields, keys as the API names them. */
import type { Lifecycle } from '../../shared/lifecycle.js';
import { timeText } from './columns.js';
import type { Column } from './render.js';

export const lifecycleColumns: Column<Lifecycle>[] = [
  { key: 'application', title: 'Application', value: (l) => l.application },
  { key: 'version', title: 'Version', value: (l) => l.version },
  { key: 'event_type', title: 'Event', value: (l) => l.event_type },
  {
    key: 'event_date',
    title: 'Event Date',
    value: (l) => l.event_date,
    text: (l, style) => timeText(l.event_date, style),
  },
  { key: 'instance_id', title: 'Instance', value: (l) => l.instance_id },
  { key: 'region', title: 'Region', value: (l) => l.region },
  { key: 'image_id', title: 'Image Id', value: (l) => l.image_id },
  { key: 'image_name', title: 'Image Name', value: (l) => l.image_name, cutFirst: true },
  {
    key: 'instance_boot_time',
    title: 'Boot Time',
    value: (l) => l.instance_boot_time,
    text: (l, style) => timeText(l.instance_boot_time, style),
  },
  { key: 'created', title: 'Created', value: (l) => l.created, text: (l, style) => timeText(l.created, style) },
];
