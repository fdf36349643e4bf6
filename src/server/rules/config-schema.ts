/** The `rules` section of the server config file: enables, disables and parameterises each rule. */
import { Type, type Static } from '@sinclair/typebox';

export const RulesConfigSchema = Type.Object({}, { additionalProperties: false });
export type RulesConfig = Static<typeof RulesConfigSchema>;
