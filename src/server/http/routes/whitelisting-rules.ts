/**
 * `/api/whitelisting-rules`, as the original's RuleController. Rules are immutable: PUT expires the rule and
 * creates its replacement; DELETE only moves a future expiry. Every endpoint needs a team of
 * `whitelist.allowed_teams`. Unlike the original, a rule whose image name or JsonPath does not compile, or whose
 * expiry no date can hold, is refused with 400 instead of being stored to never match (or to break the list).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WhitelistingRuleInput } from '../../../shared/violation.js';
import type { WhitelistingRuleDraft } from '../../model.js';
import { UnknownViolationTypeError } from '../../store/store.js';
import { invalidCriterion } from '../../store/whitelist.js';
import type { RouteDeps } from '../deps.js';
import { badRequest, notFound } from '../errors.js';
import { principalOf } from '../auth-hook.js';
import { checkDateRange, DateTimeParam, IdParam, parseDateTime } from '../params.js';

const IdParams = Type.Object({ id: IdParam() });
const blankToNull = (value: string | null | undefined) =>
  value === undefined || value === null || value.trim() === '' ? null : value;

/** `expiry_date` as an ISO date-time or epoch milliseconds, as jackson-datatype-joda reads it. */
function parseExpiry(value: string | number | null | undefined): number | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number' || /^-?\d+$/.test(value))
    return checkDateRange('expiry_date', Number(value), `${value}`);
  return parseDateTime('expiry_date', value)!;
}

function toDraft(body: WhitelistingRuleInput): WhitelistingRuleDraft {
  const invalid = invalidCriterion({
    imageName: body.image_name ?? null,
    metaInfoJsonPath: body.meta_info_json_path ?? null,
  });
  if (invalid !== undefined) throw badRequest(invalid);
  return {
    accountId: body.account_id ?? null,
    region: body.region ?? null,
    applicationId: body.application_id ?? null,
    applicationVersion: body.application_version ?? null,
    imageName: body.image_name ?? null,
    imageOwner: body.image_owner ?? null,
    reason: body.reason,
    expiryDate: parseExpiry(body.expiry_date as string | number | null | undefined),
    violationType: blankToNull(body.violation_type),
    metaInfoJsonPath: body.meta_info_json_path ?? null,
    version: body.version ?? null,
  };
}

async function withKnownType<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UnknownViolationTypeError) throw badRequest(`violation_type: ${error.message}`);
    throw error;
  }
}

export const whitelistingRuleRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store, access, now }) => {
  app.addHook('onRequest', async (request) => access.assertCanManageRules(principalOf(request)));

  app.get(
    '/whitelisting-rules',
    { schema: { summary: 'All rules, expired ones too', response: { 200: Type.Array(Type.Ref('WhitelistingRule')) } } },
    async () => store.listWhitelistingRules(),
  );

  app.post(
    '/whitelisting-rules',
    {
      schema: {
        summary: 'Create a rule',
        body: Type.Ref('WhitelistingRuleInput'),
        response: { 201: Type.Ref('WhitelistingRule') },
      },
    },
    async (request, reply) => {
      const rule = await withKnownType(() =>
        store.createWhitelistingRule(toDraft(request.body as WhitelistingRuleInput), principalOf(request).uid),
      );
      return reply.code(201).send(rule);
    },
  );

  app.get(
    '/whitelisting-rules/:id',
    { schema: { summary: 'One rule', params: IdParams, response: { 200: Type.Ref('WhitelistingRule') } } },
    async (request) => {
      const rule = await store.getWhitelistingRule(request.params.id);
      if (rule === undefined) throw notFound(`whitelisting rule ${request.params.id} not found`);
      return rule;
    },
  );

  app.put(
    '/whitelisting-rules/:id',
    {
      schema: {
        summary: 'Expire a rule and create its replacement',
        params: IdParams,
        body: Type.Ref('WhitelistingRuleInput'),
        response: { 200: Type.Ref('WhitelistingRule') },
      },
    },
    async (request) => {
      const draft = toDraft(request.body as WhitelistingRuleInput);
      const rule = await withKnownType(() =>
        store.replaceWhitelistingRule(request.params.id, draft, principalOf(request).uid),
      );
      if (rule === undefined) throw notFound(`whitelisting rule ${request.params.id} not found`);
      return rule;
    },
  );

  app.delete(
    '/whitelisting-rules/:id',
    {
      schema: {
        summary: 'Expire a rule at expiryDate (default in one minute)',
        params: IdParams,
        querystring: Type.Object({ expiryDate: Type.Optional(DateTimeParam('new expiry')) }),
      },
    },
    async (request, reply) => {
      const expiry = parseDateTime('expiryDate', request.query.expiryDate) ?? now() + 60_000;
      const result = await store.expireWhitelistingRule(request.params.id, expiry, principalOf(request).uid);
      if (result === 'not-found') throw notFound(`whitelisting rule ${request.params.id} not found`);
      // The original answers 404 here too (IllegalArgumentException mapped to NOT_FOUND).
      if (result === 'in-past')
        throw notFound(
          'Expiry dates lie in the past: the rule has expired already or the new expiry date is not in the future',
        );
      return reply.code(204).send();
    },
  );
};
