// What the build needs from LoadGen's source tree, in one place, so the fetch script,
// the generator, CMakeLists.txt and binding.gyp all agree.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The pinned sdist: package name, version, file name and SHA-256. */
export const lock = JSON.parse(readFileSync(join(projectRoot, 'third_party', 'loadgen.lock.json'), 'utf8'));

/** LoadGen's own translation units (the generated version_generated.cc is added by the build). */
export const coreSources = [
  'early_stopping.cc',
  'issue_query_controller.cc',
  'loadgen.cc',
  'logging.cc',
  'results.cc',
  'test_settings_internal.cc',
  'utils.cc',
  'version.cc',
];

export const headers = [
  'early_stopping.h',
  'issue_query_controller.h',
  'loadgen.h',
  'logging.h',
  'query_dispatch_library.h',
  'query_sample.h',
  'query_sample_library.h',
  'results.h',
  'system_under_test.h',
  'test_settings.h',
  'test_settings_internal.h',
  'utils.h',
  'version.h',
];

/** Inputs of the two generated files. */
export const generatorInputs = ['version_generator.py', 'mlperf.conf', 'VERSION.txt'];

export const requiredFiles = [...coreSources, ...headers, ...generatorInputs];

/**
 * Files the sdist carries that are outputs of LoadGen's own build on the publisher's machine.
 * They are left out when unpacking: the build generates its own, and a stale sibling
 * mlperf_conf.h would shadow ours (it is included with quotes from test_settings_internal.cc).
 */
export const prebuiltOutputs = ['mlperf_conf.h', 'generated'];

/** Where the fetched sdist is unpacked (git-ignored). */
export const vendoredDir = join(projectRoot, 'third_party', 'loadgen');
