/**
 * `/api/lifecycles`: an application's lifecycle records, of all its versions or of one, a page at a time (the
 * original's LifecycleController: page size 10, sorted by `created` ascending unless `sort` says otherwise).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Nullable, PageSchema } from '../../../shared/schemas.js';
import { LIFECYCLE_SORT_PROPERTIES, type LifecycleQuery } from '../../store/enrichment-types.js';
import type { RouteDeps } from '../deps.js';
import { pageAndSize, parseSortOf, sortOrders } from '../params.js';
import { MAX_PAGE_SIZE } from './violations.js';

const Timestamp = () => Nullable(Type.String({ description: 'ISO-8601 UTC, e.g. 2015-04-14T19:09:01.000Z' }));

/** The original's LifecylceDTO, snake_case. */
const LifecycleSchema = Type.Object(
  {
    application: Nullable(Type.String()),
    version: Nullable(Type.String()),
    event_date: Timestamp(),
    image_id: Nullable(Type.String()),
    image_name: Nullable(Type.String()),
    region: Nullable(Type.String()),
    instance_boot_time: Timestamp(),
    event_type: Nullable(Type.String()),
    instance_id: Nullable(Type.String()),
    created: Timestamp(),
  },
  { additionalProperties: false },
);

const PageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ description: '0-based page; below 0 reads as 0' })),
  size: Type.Optional(
    Type.Integer({ description: `page size, default 10 (also for a size below 1), at most ${MAX_PAGE_SIZE}` }),
  ),
  sort: Type.Optional(
    Type.Array(Type.String(), {
      description: `property[,property…][,asc|desc], repeatable; default created,asc. Properties: ${LIFECYCLE_SORT_PROPERTIES.join(', ')}`,
    }),
  ),
});

const DEFAULT_SORT: LifecycleQuery['sort'] = [{ property: 'created', direction: 'ASC' }];

export const lifecycleRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store }) => {
  async function page(application: string, version: string | undefined, q: typeof PageQuery.static) {
    const parsed = parseSortOf(q.sort, LIFECYCLE_SORT_PROPERTIES);
    const sort = parsed.length > 0 ? parsed : DEFAULT_SORT;
    const { page, size } = pageAndSize(q.page, q.size, { size: 10, maxSize: MAX_PAGE_SIZE });
    const { content, total } = await store.listLifecycles({
      application,
      ...(version !== undefined ? { version } : {}),
      page,
      size,
      sort,
    });
    const totalPages = Math.ceil(total / size);
    return {
      content,
      total_elements: total,
      total_pages: totalPages,
      size,
      number: page,
      number_of_elements: content.length,
      first: page === 0,
      last: page + 1 >= totalPages,
      sort: sortOrders(sort),
    };
  }

  app.get(
    '/lifecycles/applications/:name/versions',
    {
      schema: {
        summary: "An application's lifecycle records, all versions (a page)",
        params: Type.Object({ name: Type.String({ minLength: 1 }) }),
        querystring: PageQuery,
        response: { 200: PageSchema(LifecycleSchema) },
      },
    },
    async (request) => page(request.params.name, undefined, request.query),
  );

  app.get(
    '/lifecycles/applications/:name/versions/:version',
    {
      schema: {
        summary: 'The lifecycle records of one version of an application (a page)',
        params: Type.Object({ name: Type.String({ minLength: 1 }), version: Type.String({ minLength: 1 }) }),
        querystring: PageQuery,
        response: { 200: PageSchema(LifecycleSchema) },
      },
    },
    async (request) => page(request.params.name, request.params.version, request.query),
  );
};
