/**
 * The system description (`systems/<system>.json`) of a submission, checked as MLPerf's submission
 * checker checks it (tools/submission/submission_checker/checks/system_check.py and constants.py,
 * mlcommons/inference b66003e1, 2026-08-20):
 *
 * - 35 fields must be present ({@link SYSTEM_REQUIRED_FIELDS}); 26 of them must also hold a
 *   non-empty value ({@link SYSTEM_MEANINGFUL_FIELDS});
 * - `status` is one of available, preview, rdi (any case);
 * - `system_type` is datacenter, edge, or both joined by a comma;
 * - `division` and `submitter` equal the tree's division and submitter folders (any case);
 * - a closed-division system is not a network one: `is_network`, when present, is not "true".
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { CodedError } from '../errors.js';

/** The fields the checker requires in every system description. */
export const SYSTEM_REQUIRED_FIELDS: readonly string[] = [
  'division',
  'submitter',
  'status',
  'system_name',
  'number_of_nodes',
  'host_processor_model_name',
  'host_processors_per_node',
  'host_processor_core_count',
  'host_memory_capacity',
  'host_storage_capacity',
  'host_storage_type',
  'accelerators_per_node',
  'accelerator_model_name',
  'accelerator_memory_capacity',
  'framework',
  'operating_system',
  'system_type',
  'other_software_stack',
  'host_processor_frequency',
  'host_processor_caches',
  'host_memory_configuration',
  'host_processor_interconnect',
  'host_networking',
  'host_networking_topology',
  'accelerator_frequency',
  'accelerator_host_interconnect',
  'accelerator_interconnect',
  'accelerator_interconnect_topology',
  'accelerator_memory_configuration',
  'accelerator_on-chip_memories',
  'cooling',
  'hw_notes',
  'sw_notes',
  'host_network_card_count',
  'system_type_detail',
];

/** The required fields the checker lets hold an empty value. */
const MAY_BE_EMPTY: ReadonlySet<string> = new Set([
  'host_processor_frequency',
  'host_processor_caches',
  'host_processor_interconnect',
  'accelerator_frequency',
  'accelerator_interconnect_topology',
  'accelerator_on-chip_memories',
  'hw_notes',
  'sw_notes',
  'system_type_detail',
]);

/** The required fields whose value must not be empty (an empty string, 0, false or null). */
export const SYSTEM_MEANINGFUL_FIELDS: readonly string[] = SYSTEM_REQUIRED_FIELDS.filter(
  (field) => !MAY_BE_EMPTY.has(field),
);

/** The availability values the checker accepts in `status`. */
export const SYSTEM_STATUSES: readonly string[] = ['available', 'preview', 'rdi'];

/** The `system_type` values the checker accepts. */
export const SYSTEM_TYPES: readonly string[] = ['datacenter', 'edge', 'datacenter,edge', 'edge,datacenter'];

/** A checked system description. */
export interface SystemDescription {
  /** The system's name in the tree: the file's name without `.json` (results/<name>/, systems/<name>.json). */
  readonly id: string;
  /** The file it was read from. */
  readonly path: string;
  /** Its fields, as written. */
  readonly fields: Readonly<Record<string, unknown>>;
}

function systemError(path: string, problem: string): CodedError {
  return new CodedError('ERR_SUBMISSION_SYSTEM', `--system ${path}: ${problem}`);
}

/** Python's truthiness of a JSON value, which is what "meaningful" means to the checker. */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/**
 * Reads `path` and checks it against the checker's rules for `division` and `submitter` (the
 * submitter defaults to the file's own). Every problem found is named in one message.
 *
 * @throws CodedError `ERR_SUBMISSION_SYSTEM` naming the file, each missing or empty field, and the fix
 */
export function readSystemDescription(
  path: string,
  expected: { division: string; submitter?: string | undefined },
): SystemDescription & { submitter: string } {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw systemError(path, `cannot be read as JSON (${reason}); give a system description JSON file`);
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
    throw systemError(path, 'is not a JSON object; a system description is one object of named fields');
  const id = (path.split(/[\\/]/).pop() ?? path).replace(/\.json$/i, '');
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(id))
    throw systemError(
      path,
      `its name "${id}" becomes the system's folder name; rename the file to letters, digits and . _ + - only`,
    );
  const missing = SYSTEM_REQUIRED_FIELDS.filter((field) => !(field in fields));
  const empty = SYSTEM_MEANINGFUL_FIELDS.filter((field) => field in fields && isEmpty(fields[field]));
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  if (empty.length > 0) problems.push(`empty field${empty.length > 1 ? 's' : ''} ${empty.join(', ')}`);
  if (problems.length > 0)
    throw systemError(path, `${problems.join('; ')} (the submission checker requires them; add them and rerun)`);

  const status = String(fields.status).toLowerCase();
  if (!SYSTEM_STATUSES.includes(status))
    throw systemError(path, `status "${String(fields.status)}" is not one of ${SYSTEM_STATUSES.join(', ')}`);
  if (!SYSTEM_TYPES.includes(String(fields.system_type)))
    throw systemError(path, `system_type "${String(fields.system_type)}" is not one of ${SYSTEM_TYPES.join(', ')}`);
  const division = String(fields.division);
  if (division.toLowerCase() !== expected.division.toLowerCase())
    throw systemError(path, `division "${division}" differs from --division ${expected.division}; make them the same`);
  const submitter = String(fields.submitter);
  if (expected.submitter !== undefined && submitter.toLowerCase() !== expected.submitter.toLowerCase())
    throw systemError(
      path,
      `submitter "${submitter}" differs from --submitter ${expected.submitter}; make them the same`,
    );
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(expected.submitter ?? submitter))
    throw systemError(
      path,
      `submitter "${expected.submitter ?? submitter}" becomes a folder name; use letters, digits and . _ + - only`,
    );
  if (expected.division === 'closed' && String(fields.is_network).toLowerCase() === 'true')
    throw systemError(path, 'is_network is true, but a closed-division system is not a network one');
  return { id, path, fields, submitter: expected.submitter ?? submitter };
}
