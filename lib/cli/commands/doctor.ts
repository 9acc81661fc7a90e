/**
 * `mlperf-llm doctor`: what this machine has for each device, and what fixes what is missing (see
 * lib/doctor.ts).
 *
 * @packageDocumentation
 */
import type { Argv, CommandModule } from 'yargs';
import { formatDoctorReport, runDoctor } from '../../doctor.js';

interface DoctorArgs {
  'binding-folder'?: string;
  json: boolean;
}

export const doctorCommand: CommandModule<object, DoctorArgs> = {
  command: 'doctor',
  describe: 'Print what this machine has for --device cpu and cuda, and the commands that fix what is missing',
  builder: (yargs) =>
    yargs
      .option('binding-folder', {
        type: 'string',
        describe: "the folder holding onnxruntime-node's runtime and the CUDA provider (default: its binding folder)",
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print the report as JSON',
      }) as unknown as Argv<DoctorArgs>,
  handler: async (args) => {
    const report = await runDoctor(
      args['binding-folder'] === undefined ? {} : { bindingFolder: args['binding-folder'] },
    );
    console.log(args.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report));
  },
};
