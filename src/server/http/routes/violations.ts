/** `/api/violations`: list, get, create; resolution lives in `resolution.ts`. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CreateViolationSchema, PageSchema } from '../../../shared/schemas.js';
import type { ViolationFilter, SortSpec } from '../../model.js';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { principalOf } from '../auth-hook.js';
import { pageJson, sendJsonBytes, type PageInfo } from '../page-json.js';
import {
  BoolParam,
  DateTimeParam,
  IdParam,
  IntParam,
  ListParam,
  pageAndSize,
  parseBool,
  parseDateTime,
  parseList,
  parseMeta,
  parseSort,
  sortOrders,
} from '../params.js';

const DEFAULT_SORT: SortSpec[] = [{ property: 'id', direction: 'ASC' }];
/** Spring Data's default maximum page size; larger sizes are clamped, as there. */
export const MAX_PAGE_SIZE = 2000;

const ListQuery = Type.Object({
  accounts: Type.Optional(ListParam('account ids')),
  from: Type.Optional(DateTimeParam('created strictly after')),
  to: Type.Optional(DateTimeParam('created strictly before; default now')),
  'last-violation': Type.Optional(IdParam('id at least (inclusive)')),
  checked: Type.Optional(BoolParam('resolved by hand instead of open')),
  whitelisted: Type.Optional(BoolParam('whitelisted (wins over checked)')),
  severity: Type.Optional(IntParam()),
  'min-severity': Type.Optional(IntParam('severity at least')),
  priority: Type.Optional(IntParam()),
  'audit-relevant': Type.Optional(BoolParam('audit-relevant types only')),
  type: Type.Optional(ListParam('violation type id')),
  types: Type.Optional(ListParam('violation type ids')),
  'application-ids': Type.Optional(ListParam('application names')),
  'application-version-ids': Type.Optional(ListParam('application version names')),
  regions: Type.Optional(ListParam('AWS regions')),
  'instance-ids': Type.Optional(ListParam('instance ids')),
  meta: Type.Optional(ListParam('key=value pairs that must all match keys of meta_info')),
  page: Type.Optional(Type.Integer({ description: '0-based page; below 0 reads as 0' })),
  size: Type.Optional(
    Type.Integer({ description: `page size, default 10 (also for a size below 1), at most ${MAX_PAGE_SIZE}` }),
  ),
  sort: Type.Optional(
    Type.Array(Type.String(), { description: 'property[,property…][,asc|desc], repeatable; default id,asc' }),
  ),
});
type ListQuery = typeof ListQuery.static;

function toFilter(q: ListQuery, now: number): ViolationFilter {
  const types = [...(parseList(q.types) ?? []), ...(parseList(q.type) ?? [])];
  return {
    accounts: parseList(q.accounts),
    createdAfter: parseDateTime('from', q.from),
    createdBefore: parseDateTime('to', q.to) ?? now,
    lastViolation: q['last-violation'],
    checked: parseBool(q.checked),
    whitelisted: parseBool(q.whitelisted),
    severity: q.severity,
    minSeverity: q['min-severity'],
    priority: q.priority,
    auditRelevant: parseBool(q['audit-relevant']),
    types: types.length > 0 ? types : undefined,
    applicationIds: parseList(q['application-ids']),
    applicationVersionIds: parseList(q['application-version-ids']),
    regions: parseList(q.regions),
    instanceIds: parseList(q['instance-ids']),
    meta: parseMeta(q.meta),
  };
}

/** The envelope's members after `content`, in the schema's order (PageSchema). */
function pageInfo(total: number, elements: number, page: number, size: number, sort: SortSpec[]): PageInfo {
  const totalPages = Math.ceil(total / size);
  return {
    total_elements: total,
    total_pages: totalPages,
    size,
    number: page,
    number_of_elements: elements,
    first: page === 0,
    last: page + 1 >= totalPages,
    sort: sortOrders(sort),
  };
}

const IdParams = Type.Object({ id: IdParam() });

export const violationRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store, access, now }) => {
  app.get(
    '/violations',
    {
      schema: {
        summary: 'List violations (a page)',
        querystring: ListQuery,
        response: { 200: PageSchema(Type.Ref('Violation')) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const filter = toFilter(q, now());
      const parsedSort = parseSort(q.sort);
      const sort = parsedSort.length > 0 ? parsedSort : DEFAULT_SORT;
      const { page, size } = pageAndSize(q.page, q.size, { size: 10, maxSize: MAX_PAGE_SIZE });
      if (store.listViolationsJson !== undefined) {
        // The store writes the rows' JSON itself; only the envelope is built here (see page-json.ts).
        const { json, count, total } = await store.listViolationsJson(filter, { page, size, sort });
        return sendJsonBytes(reply, pageJson(json, pageInfo(total, count, page, size, sort)));
      }
      const { content, total } = await store.listViolations(filter, { page, size, sort });
      return { content, ...pageInfo(total, content.length, page, size, sort) };
    },
  );

  app.get(
    '/violations/:id',
    { schema: { summary: 'One violation', params: IdParams, response: { 200: Type.Ref('Violation') } } },
    async (request) => {
      const violation = await store.getViolation(request.params.id);
      if (violation === undefined) throw notFound(`violation ${request.params.id} not found`);
      return violation;
    },
  );

  app.post(
    '/violations',
    { schema: { summary: 'Submit a violation (scope fullstop.violation.write)', body: Type.Ref('CreateViolation') } },
    async (request, reply) => {
      access.assertCanCreateViolations(principalOf(request));
      const body = request.body as typeof CreateViolationSchema.static;
      await store.insertViolations([
        {
          eventId: body.event_id,
          accountId: body.account_id,
          region: body.region,
          type: body.violation_type,
          instanceId: body.instance_id ?? null,
          metaInfo: body.meta_info,
          username: body.username ?? null,
          applicationId: body.application_id ?? null,
          applicationVersion: body.application_version ?? null,
        },
      ]);
      return reply.code(202).send();
    },
  );
};
