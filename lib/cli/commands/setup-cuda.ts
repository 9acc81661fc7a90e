/**
 * `mlperf-llm setup-cuda`: installs onnxruntime's CUDA provider for `--device cuda` (see
 * lib/backends/onnxruntime/cuda-setup.ts).
 *
 * @packageDocumentation
 */
import type { Argv, CommandModule } from 'yargs';
import { fixLines } from '../../backends/onnxruntime/cuda-libraries.js';
import { CUDA_MAJORS, PROVIDER_ARCHIVES, type CudaMajor } from '../../backends/onnxruntime/cuda-packages.js';
import { setupCuda } from '../../backends/onnxruntime/cuda-setup.js';
import { ONNXRUNTIME_VERSION } from '../../backends/onnxruntime/execution-provider.js';

interface SetupCudaArgs {
  cuda?: CudaMajor;
  from?: string;
  'binding-folder'?: string;
  'download-dir'?: string;
}

export const setupCudaCommand: CommandModule<object, SetupCudaArgs> = {
  command: 'setup-cuda',
  describe: "Install onnxruntime's CUDA provider (pinned, checked by SHA-256) for --device cuda",
  builder: (yargs) =>
    yargs
      .option('cuda', {
        choices: CUDA_MAJORS,
        type: 'number',
        describe: `CUDA major of the provider: 13 (driver >= ${PROVIDER_ARCHIVES[13].minDriver}; npm ${PROVIDER_ARCHIVES[13].name}@${PROVIDER_ARCHIVES[13].version}) or 12 (driver >= ${PROVIDER_ARCHIVES[12].minDriver}; Maven ${PROVIDER_ARCHIVES[12].name}:${PROVIDER_ARCHIVES[12].version}); default 13, or what --from holds`,
      })
      .option('from', {
        type: 'string',
        describe: `an archive already downloaded (${PROVIDER_ARCHIVES[13].file} or ${PROVIDER_ARCHIVES[12].file}), for machines without a registry`,
      })
      .option('binding-folder', {
        type: 'string',
        describe: "where the provider goes (default: onnxruntime-node's binding folder)",
      })
      .option('download-dir', {
        type: 'string',
        describe: 'where downloads are kept (default: <cache>/downloads)',
      }) as unknown as Argv<SetupCudaArgs>,
  handler: async (args) => {
    const result = await setupCuda({
      ...(args.cuda === undefined ? {} : { cuda: args.cuda }),
      ...(args.from === undefined ? {} : { from: args.from }),
      ...(args['binding-folder'] === undefined ? {} : { bindingFolder: args['binding-folder'] }),
      ...(args['download-dir'] === undefined ? {} : { downloadDir: args['download-dir'] }),
      log: (line) => console.log(`setup-cuda: ${line}`),
    });
    const { libraries } = result;
    console.log(
      `setup-cuda: CUDA ${result.archive.cuda} provider of onnxruntime ${ONNXRUNTIME_VERSION} installed in ${result.bindingFolder}`,
    );
    // The CUDA set always; the system libraries the provider links only when one is missing.
    for (const library of libraries.libraries.filter((entry) => entry.cuda || entry.path === undefined))
      console.log(`  ${library.soname.padEnd(20)} ${library.path ?? `MISSING (${library.what})`}`);
    if (libraries.fix) {
      console.log(
        `setup-cuda: not ready yet; ${libraries.missing.length} librar${libraries.missing.length === 1 ? 'y is' : 'ies are'} missing. Run:`,
      );
      for (const line of fixLines(libraries.fix)) console.log(`  ${line}`);
      console.log('then check with: mlperf-llm doctor');
    } else {
      console.log('setup-cuda: ready: run with --device cuda');
    }
  },
};
