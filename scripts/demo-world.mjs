// The made-up AWS world of the demo and the benchmarks: AMIs (Taupage, approved, unapproved), the applications
// Taupage user data names, what the application registry (Kio) and the artifact registry (Pier One) know of them.
// scripts/generate-cloudtrail.mjs picks each launched instance's AMI from its id, and the demo stand-ins
// (scripts/demo-stand-ins.mjs) answer EC2's questions about any instance id the same way: both read this module,
// so the generated logs and the stand-ins' answers always agree, however many instances there are.

/** The account owning the Taupage AMIs (`rules.wrong_ami.owners`). */
export const TAUPAGE_OWNER = '888888888888';
export const APPROVED_AMI = 'ami-0a99e0ed0a99e0ed0';
export const PIERONE_HOST = 'pierone.example.org';

/** AMI id → what DescribeImages answers. */
export const IMAGES = {
  'ami-0da7a5e1a7a5e1a01': { name: 'Taupage-AMI-20240415-093012', owner: TAUPAGE_OWNER },
  'ami-0da7a5e1a7a5e1a02': { name: 'Taupage-AMI-20240501-101530', owner: TAUPAGE_OWNER },
  [APPROVED_AMI]: { name: 'hardened-base-2024.04', owner: '111111111111' },
  'ami-0b0b0b0b0b0b0b0b0': { name: 'ubuntu-jammy-22.04-amd64-server-20240423', owner: '099720109477' },
  'ami-0c0c0c0c0c0c0c0c0': { name: 'amzn2-ami-hvm-2.0.20240412-x86_64-gp2', owner: '137112412989' },
};
const [TAUPAGE_1, TAUPAGE_2, , UBUNTU, AMAZON] = Object.keys(IMAGES);

/**
 * What Taupage user data names (null: the instance has none). `kio` is the registry's entry (absent: not
 * registered), `scm` the artifact's scm-source (absent: no tag in Pier One).
 */
export const APPLICATIONS = [
  {
    weight: 3,
    id: 'kio',
    version: '1.0',
    source: `${PIERONE_HOST}/stups/kio:1.0`,
    kio: { scm_url: 'https://github.com/zalando-stups/kio.git' },
    scm: { url: 'https://github.com/zalando-stups/kio', revision: 'a1b2c3d', author: 'alice', status: '' },
  },
  {
    weight: 3,
    id: 'kio',
    version: '1.1',
    source: `${PIERONE_HOST}/stups/kio:1.1`,
    kio: { scm_url: 'https://github.com/zalando-stups/kio.git' },
    scm: { url: 'https://github.com/zalando-stups/kio', revision: 'e4f5a6b', author: 'alice', status: '' },
  },
  {
    weight: 2,
    id: 'shop',
    version: '2.3',
    source: `${PIERONE_HOST}/shop/shop:2.3`,
    kio: { scm_url: 'https://github.com/zalando/shop.git' },
    scm: { url: 'https://github.com/zalando/shop', revision: '9f8e7d6', author: 'bob', status: 'M src/main.js' },
  },
  {
    weight: 1,
    id: 'batch',
    version: '0.9-SNAPSHOT',
    source: `${PIERONE_HOST}/data/batch:0.9-SNAPSHOT`,
    scm: { url: 'https://github.com/someone/batch', revision: '0000001', author: 'carol', status: '' },
  },
  { weight: 1, id: null },
];

/** The config sections that make the demo stand-ins the systems looked up (URLs filled in by the caller). */
export function enrichmentConfig({ kioUrl, pieroneUrl }) {
  return [
    'rules:',
    '  wrong_ami:',
    `    owners: ['${TAUPAGE_OWNER}']`,
    `    approved_ids: [${APPROVED_AMI}]`,
    '  scm_repository:',
    '    hosts:',
    "      github.com: '^(?:zalando|zalando-stups)$'",
    'enrichment:',
    '  aws: {}',
    '  application_registry:',
    `    url: ${kioUrl}`,
    '  artifact_registries:',
    `    - host: ${PIERONE_HOST}`,
    `      url: ${pieroneUrl}`,
    '',
  ].join('\n');
}

/** A number in [0, 1) drawn from the instance id (FNV-1a): the same id always gives the same instance. */
function unit(instanceId, salt) {
  let hash = 0x811c9dc5 ^ salt;
  for (let i = 0; i < instanceId.length; i++) hash = Math.imul(hash ^ instanceId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) / 4294967296;
}

function weighted(list, u) {
  const total = list.reduce((sum, item) => sum + item.weight, 0);
  let r = u * total;
  for (const item of list) if ((r -= item.weight) < 0) return item;
  return list[list.length - 1];
}

/** The AMI an instance runs: 80 % Taupage, 10 % the approved AMI, 10 % unapproved ones. */
export function imageOf(instanceId) {
  const u = unit(instanceId, 1);
  if (u < 0.4) return TAUPAGE_1;
  if (u < 0.8) return TAUPAGE_2;
  if (u < 0.9) return APPROVED_AMI;
  return u < 0.95 ? UBUNTU : AMAZON;
}

/** The application an instance's user data names, or null (no user data, or not a Taupage AMI). */
export function applicationOf(instanceId) {
  if (IMAGES[imageOf(instanceId)].owner !== TAUPAGE_OWNER) return null;
  const application = weighted(APPLICATIONS, unit(instanceId, 2));
  return application.id === null ? null : application;
}

/** Taupage user data (YAML) of an application. */
export const userData = (application) =>
  [
    '#taupage-ami-config',
    `application_id: ${application.id}`,
    `application_version: "${application.version}"`,
    'runtime: Docker',
    `source: ${application.source}`,
    '',
  ].join('\n');
