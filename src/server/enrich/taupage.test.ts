import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTaupageYaml } from './taupage.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/userdata/${name}`, import.meta.url), 'utf8');

describe('parseTaupageYaml', () => {
  it("reads the original's fixtures", () => {
    expect(parseTaupageYaml(fixture('taupage01.yaml'))).toEqual({
      application_id: 'fullstop',
      application_version: '5',
      runtime: 'Docker',
      source: 'registry.opensource.zalan.do/stups/fullstop:5',
    });
    expect(parseTaupageYaml(fixture('taupage-missing-app-version.yaml'))).toMatchObject({
      application_id: 'fullstop',
      application_version: null,
    });
    expect(parseTaupageYaml(fixture('userdata.yaml'))).toEqual({
      application_id: 'fullstop',
      application_version: '0.22',
      runtime: null,
      source: null,
    });
  });

  it('keeps the text of scalars, trims, and reads blank or null values as missing', () => {
    expect(parseTaupageYaml('application_id: "  shop  "\napplication_version: 1.10\nruntime: ~\nsource:\n')).toEqual({
      application_id: 'shop',
      application_version: '1.10',
      runtime: null,
      source: null,
    });
    expect(parseTaupageYaml('application_id: "   "\n')).toMatchObject({ application_id: null });
  });

  it('is null for no user data, no YAML mapping, broken YAML, or a list where a value belongs', () => {
    for (const text of [null, '', "'foo'", '#!/bin/bash\necho hello', 'application_id: [', 'source: [a, b]\n'])
      expect(parseTaupageYaml(text)).toBeNull();
  });

  it('reads the first document of several', () => {
    expect(parseTaupageYaml('application_id: one\n---\napplication_id: two\n')).toMatchObject({
      application_id: 'one',
    });
  });
});
